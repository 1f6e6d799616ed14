"""The analysis workflow's five steps as a person fills them in: the inputs typed, what each step's page
shows, generating them in order without JavaScript, a step's card, and the counts a refused request must
leave as they were."""
from gtm.extensions import db
from gtm.llm import schemas
from gtm.models import STEP_KINDS, Run, StepVersion

from .jobs import queue_length

# A valid competitor analysis, as the model would answer it.
VALID = {
    "summary": "Two rivals.",
    "competitors": [{"name": "Floranext", "positioning": "Web shops for florists", "strengths": ["Known"],
                     "weaknesses": ["Dated"], "pricing_notes": "From 50 a month", "how_we_differ": "Repeat orders"}],
}

INPUTS = {
    "competitors": {"known_competitors": "Floranext, Spreadsheets", "notes": "Price matters to owners."},
    "customers": {"segments": "Wedding florists\nCorner shops", "notes": "Most are one-person shops."},
    "objectives": {"kpi_targets": "300 paid sign-ups; 40% weekly active", "deadline": "2031-06-30"},
    "mechanics": {"include": "Newsletter, Webinar with a florist", "exclude": "TikTok"},
    "costs": {"budget_cap": "10000", "currency": "EUR"},
}
# What the readable HTML of each kind shows, from its inputs and its headings.
SHOWS = {
    "competitors": ["Floranext", "How we differ", "Strengths"],
    "customers": ["Wedding florists", "Corner shops", "Jobs to be done", "Objections", "Where to reach them"],
    "objectives": ["300 paid sign-ups", "2031-06-30", "<dt>KPI</dt>", "<dt>Target</dt>", "Wedding florists"],
    "mechanics": ["Newsletter", "Webinar with a florist", "Cadence", "Serves:", "Reward:"],
    "costs": ["Line total", "Total", "10,000.00 EUR", "<table"],
}
SCHEMAS = {"competitors": schemas.CompetitorAnalysis, "customers": schemas.CustomerAnalysis,
           "objectives": schemas.ObjectivesPlan, "mechanics": schemas.MechanicsPlan, "costs": schemas.CostEstimate}


PLAIN = {"HX-Request": "false"}  # a request as a browser without JavaScript sends it


def counts(app) -> tuple[int, int, int]:
    db.session.expire_all()
    return queue_length(app), Run.query.count(), StepVersion.query.count()


def generate_until(client, work, campaign, last: str, include_last: bool = True) -> None:
    """Generate the steps in order up to `last` through the no-JavaScript form posts."""
    kinds = STEP_KINDS[:STEP_KINDS.index(last) + (1 if include_last else 0)]
    for kind in kinds:
        response = client.post(f"/campaigns/{campaign.id}/steps/{kind}/generate", data=INPUTS[kind], headers=PLAIN)
        assert response.status_code == 303, (kind, response.get_data(as_text=True)[:500])
        work()


def current(campaign, kind) -> StepVersion:
    return StepVersion.query.filter_by(campaign_id=campaign.id, kind=kind, is_current=True).one()


def section(page: str, kind: str) -> str:
    """The HTML of one step card within a page."""
    start = page.index(f'id="step-{kind}"')
    end = page.find("<section id=\"step-", start + 10)
    return page[start:end if end > 0 else len(page)]


def flat_form(fields, form=None) -> dict:
    """The values an edit form posts as it is shown."""
    form = {} if form is None else form
    for field in fields:
        if field.control == "items":
            for item in field.items:
                flat_form(item.fields, form)
        else:
            form[field.name] = field.value
    return form
