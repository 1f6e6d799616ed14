"""Fuzz every HTML form: no field values, however malformed, get a 5xx from a page route.

Every POST route outside /api is read from the app's URL map, its path filled with the ids of real rows
(a campaign with a written strategy, a failed step run, a chat message whose regeneration failed, a
trigger with an alert, an API token), and posted with Hypothesis-generated fields: the names of the
route's real form (found by reading the app's pages), some left out, and made-up ones, with values that
are huge, hold NULs or unusual unicode, numbers of thousands of digits, negative or empty, and files
that are empty, not UTF-8, nested too deeply or hold such numbers. Each case goes as a plain form and as
htmx, with the session's CSRF token.

The routes are fuzzed in turn in one app, so its rows are made once; the routes that take away what others
need (a trigger, the token, the session) come last, and the runs a case starts are failed after it. Every
route's failures are gathered, so one run names them all. Hypothesis is derandomized and does not shrink,
and the examples are few, so the same cases are sent every time and the file stays quick.
"""
import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import hypothesis
import pytest
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from gtm.extensions import db
from gtm.models import Post, Run, Variant
from gtm.models.run import UNFINISHED
from gtm.services import (
    accounts, campaigns, chat, comments, exports, imports, invitations, results, runs, steps,
)
from gtm.services import review_links, webhooks

from tests.kit.campaigns import CAMPAIGN
from tests.kit.routes import url_for_rule

MAX_EXAMPLES = 6


# Routes that take away what others need (a trigger, the token, the session) go last, in this order.
LAST = ("triggers.delete", "settings.", "auth.signup", "auth.login", "auth.logout")


def post_routes(app) -> list[tuple[str, str]]:
    """Every POST page route (not /api) of the URL map, as (rule, endpoint), in the order they are fuzzed."""
    found = [(rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "static"]
    return sorted(found, key=lambda pair: next(
        (place for place, name in enumerate(LAST, start=1) if pair[1].startswith(name)), 0))


NASTY = [
    "", " ", "0", "1", "2", "-1", "-0", "+1", "0.5", "1e999", "-1e999", "NaN", "Infinity", "-Infinity",
    "9" * 500, "9" * 5000, "-" + "9" * 5000, "1" * 400 + ".5", "0." + "0" * 4000 + "1", "2147483648",
    "9223372036854775808", "1,000,000", "١٢٣", "²", "\x00", "a\x00b", "x" * 30_000, "é" * 3000,
    "\u202e\u200b\ufeff", "🙂" * 500, "\r\n\r\n", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
    "../../etc/passwd", "%00", "A", "B", "a", "on", "true", "2024-02-30", "9999-12-31", "0000-00-00",
    "!regenerate phase 2 bolder", "!regenerate phase 99999999999999999999 x", "/help",
]
VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers(-2**80, 2**80).map(str))
FILES = [
    b"", b"\xef\xbb\xbf", b",,,,", b"\r\n", b"\xff\xfe\x00bad", b"[" * 100_000, b'{"a":' * 10_000,
    b'{"format": "gtm.campaign", "format_version": ' + b"9" * 5000 + b"}", b"NaN",
    b"post,variant,date,impressions,clicks\np1-1,A,2024-01-01," + b"9" * 5000 + b",1\n",
    b"post,variant,date,impressions,clicks,conversions,spend\np1-1,A,2024-01-01,1,1,0," + b"1" * 400 + b".5\n",
]
EVERY_FIELD = ["9" * 5000, "1" * 400 + ".5", "-1", "", "\x00", ",,,,"]
FILE = st.one_of(st.sampled_from(FILES), st.binary(max_size=200))
NAME = st.text(min_size=1, max_size=16).filter(lambda name: name != "csrf_token")


class Forms(HTMLParser):
    """The forms of a page: each target URL (`action` or `hx-post`) with its fields' names, the values the page
    offers for them (options, radios, defaults) and whether they take a file."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.found: dict[str, dict[str, dict]] = {}
        self.current: dict | None = None
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        target = attrs.get("hx-post") or (attrs.get("action") if tag == "form" else None)
        if tag == "form":
            # A form without an action posts to its own page.
            self.current = self.found.setdefault(urlsplit(target or self.page_url).path, {})
        elif target:
            self.found.setdefault(urlsplit(target).path, {})
        name = attrs.get("name")
        if self.current is None or not name or name == "csrf_token":
            if tag == "option" and self.select is not None:
                self.select["values"].add(attrs.get("value") or "")
            return
        field = self.current.setdefault(name, {"values": set(), "file": False})
        if tag in ("input", "textarea", "select"):
            field["file"] |= attrs.get("type") == "file"
            if attrs.get("value"):
                field["values"].add(attrs["value"])
            self.select = field if tag == "select" else None

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


_FORMS: dict[str, dict[str, dict]] = {}


def forms_by_endpoint(app, auth_client, subjects) -> dict[str, dict[str, dict]]:
    """Read every page the app serves (filled with the subjects' ids) and return the fields of each form, by the
    endpoint it posts to. The forms are the same in every test's app, so they are read once."""
    if _FORMS:
        return _FORMS
    adapter = app.url_map.bind("localhost")
    anonymous = app.test_client()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        url = url_for_rule(rule.rule, subjects)
        if rule.endpoint == "strategy.regenerate_strategy":
            url += "?phase_num=2"
        for reader in (auth_client, anonymous) if rule.endpoint.startswith("auth.") else (auth_client,):
            with reader.get(url) as response:
                if response.content_type.startswith("text/html"):
                    read(adapter, url, response.get_data(as_text=True))
    # The confirmation form appears only on the preview of an uploaded CSV: the template with its numbers filled in.
    template = auth_client.get(url_for_rule("/campaigns/<campaign_id>/results/template.csv", subjects)).get_data()
    template = template.replace(b",,,,\n", b",10,1,0,0\n")
    url = url_for_rule("/campaigns/<campaign_id>/results/upload", subjects)
    preview = auth_client.post(url, data={"file": (io.BytesIO(template), "template.csv")},
                               content_type="multipart/form-data")
    read(adapter, url, preview.get_data(as_text=True))
    return _FORMS


def read(adapter, url: str, page: str) -> None:
    """Add the fields of the page's forms to _FORMS, by the endpoint each posts to."""
    parser = Forms(urlsplit(url).path)
    parser.feed(page)
    for target, fields in parser.found.items():
        try:
            endpoint, _ = adapter.match(target, method="POST")
        except HTTPException:
            continue
        known = _FORMS.setdefault(endpoint, {})
        for name, field in fields.items():
            slot = known.setdefault(name, {"values": set(), "file": False})
            slot["values"] |= field["values"]
            slot["file"] |= field["file"]


_WRITTEN = {}


@pytest.fixture
def subjects(app, user, api, work) -> dict:
    """Rows for the path's ids: a campaign with a written strategy (imported from an export made once), a failed
    step run, a chat message whose regeneration failed, a trigger and its alert, and an API token."""
    if "export" not in _WRITTEN:
        planned = campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN))
        assert api.post(f"/api/campaigns/{planned.id}/strategy")[0] == 202
        work()
        _WRITTEN["export"] = exports.export(user.workspace_id, planned.id, "json").data
    campaign = imports.import_campaign(user.workspace_id, _WRITTEN["export"])
    step_run = steps.start_step(user.workspace_id, campaign.id, "competitors")
    runs.fail(step_run.id, "Stopped by the form fuzz test.")
    message = chat.post_message(user.workspace_id, campaign.id, user.id, user.email, "!regenerate phase 2 Bolder")
    runs.fail(message.run_id, "Stopped by the form fuzz test.")
    post = Post.query.filter_by(campaign_id=campaign.id, phase=2, is_active=True).order_by(Post.id).first()
    trigger = results.create_trigger(user.workspace_id, campaign.id, {
        "metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
        "action": "regenerate"}, author_id=None)
    results.record_metrics(user.workspace_id, campaign.id, [{
        "post_id": post.id, "variant": "A", "date": "2024-01-02", "impressions": 2000, "clicks": 2,
        "conversions": 0, "spend": "5"}])
    token, _ = accounts.create_token(user.id, "fuzz")
    comment = comments.add_comment(user.workspace_id, campaign.id, "post", post.id, user.id, "A note on the post")
    invitation, link = invitations.invite(user.workspace_id, user.id, "colleague@example.com", "editor")
    db.session.commit()
    return {"user_id": user.id, "invitation_id": invitation.id, "token": link,
            "subject_type": "post", "subject_id": post.id, "comment_id": comment.id,
            "campaign_id": campaign.id, "post_id": post.id, "run_id": step_run.id,
            "regeneration_id": message.run_id, "message_id": message.id, "trigger_id": trigger.id,
            "alert_id": results.alerts(user.workspace_id, campaign.id)[0].id, "token_id": token.id,
            "variant_id": Variant.query.filter_by(post_id=post.id).first().id,
            "link_id": review_links.create(user.workspace_id, campaign.id, user.id)[0].id,
            **_webhook(user)}


def _webhook(user) -> dict:
    endpoint = webhooks.create(user.workspace_id, user.id, "https://hooks.example.com/fuzz", ["post.approved"])
    return {"webhook_id": endpoint.id, "delivery_id": webhooks.send_test(user.workspace_id, user.id, endpoint.id).id}


def form_of(fields: dict[str, dict]):
    """Hypothesis strategy for a form: any of the real fields (a value the page offers, or a nasty one) and
    up to three made-up ones."""
    def value(field):
        if field["file"]:
            return FILE
        offered = sorted(field["values"])
        return st.one_of(st.sampled_from(offered), VALUE) if offered else VALUE

    real = st.fixed_dictionaries({}, optional={name: value(field) for name, field in sorted(fields.items())})
    extra = st.dictionaries(NAME, st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3)), max_size=3)
    return st.tuples(real, extra).map(lambda pair: {**pair[1], **pair[0]})


def test_no_form_gets_a_server_error(app, auth_client, subjects):
    forms = forms_by_endpoint(app, auth_client, subjects)
    routes = post_routes(app)
    # The pages were read: the forms this file is most about have their fields.
    assert {"variant", "date", "impressions", "clicks", "conversions", "spend"} <= set(forms["results.record"])
    assert forms["results.upload"]["file"]["file"] and forms["exports.import_campaign"]["export"]["file"]
    assert "csv" in forms["results.confirm"] and {"threshold", "min_impressions"} <= set(forms["triggers.create"])
    failures = {}
    for rule, endpoint in routes:
        try:
            fuzz(auth_client, rule, forms.get(endpoint, {}), subjects)
        except Exception as error:  # each route's failing cases, so one run reports them all
            failures[endpoint] = described(error)
    assert not failures, "\n\n".join(f"{endpoint}: {error}" for endpoint, error in failures.items())


def described(error: BaseException) -> str:
    """The error and the case Hypothesis noted on it; each of a group's errors."""
    if isinstance(error, BaseExceptionGroup):
        return "\n".join(described(one) for one in error.exceptions)
    notes = [note if len(note) < 1000 else note[:1000] + "…" for note in getattr(error, "__notes__", [])]
    return "\n".join([f"{type(error).__name__}: {str(error)[:1000]}", *notes])


def fuzz(client, rule: str, fields: dict[str, dict], subjects: dict) -> None:
    """Post the route's form with generated fields, as a plain form and as htmx; fail on a 5xx."""
    ids = {**subjects, "run_id": subjects["regeneration_id"] if "regenerate" in rule else subjects["run_id"]}
    url = url_for_rule(rule, ids)
    files = {name for name, field in fields.items() if field["file"]}

    @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(form=form_of(fields))
    def post(form):
        for headers in ({}, {"HX-Request": "true"}):
            data = {name: (io.BytesIO(value), "upload.csv") if name in files and isinstance(value, bytes) else value
                    for name, value in form.items()}
            case = f"POST {url} {headers} {({name: str(value)[:60] for name, value in form.items()})}"
            try:
                response = client.post(url, data=data, headers=headers,
                                       content_type="multipart/form-data" if files else None)
            except Exception as error:  # the test app raises what a served one would answer 500 for
                error.add_note(case)
                raise
            finally:
                settle()
            assert response.status_code < 500, (case, response.get_data(as_text=True)[:500])

    for case in explicit_cases(fields, files):
        post = hypothesis.example(form=case)(post)
    post()


def explicit_cases(fields: dict[str, dict], files: set[str]) -> list[dict]:
    """The cases every route gets, whatever the generator draws: every field holding one nasty value, and
    each nasty file in the file fields."""
    cases = [{name: value for name in fields} for value in EVERY_FIELD] if fields else [{}]
    return cases + [{name: content if name in files else "" for name in fields} for content in FILES if files]


def settle() -> None:
    """Fail the runs a case started, so the next case is not turned away as "in flight"."""
    db.session.rollback()
    for run in Run.query.filter(Run.status.in_(UNFINISHED)).all():
        runs.fail(run.id, "Stopped by the form fuzz test.")
