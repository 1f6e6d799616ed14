"""Offline answers for the objectives step: SMART objectives from the marketer's targets or the campaign's
goals, each with one KPI, on dates that follow the launch date and lead to the deadline."""
import re
from datetime import date, timedelta

from .compose import Facts, clause, composer, lower_first, tidy


def _earlier(facts: Facts, kind: str) -> dict:
    return (facts.values.get("earlier") or {}).get(kind) or {}


def _start(facts: Facts) -> date:
    """The first day an objective can fall on: the launch date when it is later than today."""
    today = date.fromisoformat(facts.values.get("today") or date.today().isoformat())
    try:
        launch = date.fromisoformat(facts.values.get("launch_date") or "")
    except ValueError:
        return today
    return max(today, launch)


def _deadline(facts: Facts, start: date) -> tuple[date, bool]:
    """The deadline the objectives lead to, and whether the marketer's own one was kept: one that falls
    before the launch (or too soon after it) gives way to 90 days after it."""
    try:
        wanted = date.fromisoformat(facts.inputs.get("deadline") or "")
    except ValueError:
        return start + timedelta(days=90), True
    if wanted < start + timedelta(days=7):
        return start + timedelta(days=90), False
    return wanted, True


KPI_STOP = {"in", "by", "within", "over", "per", "before", "during", "after", "from", "of", "for", "each", "every"}


def _kpi_of(target: str) -> str:
    """The measure a target is about: "Paid sign-ups" from "300 paid sign-ups in the first 90 days"."""
    words = []
    for word in re.sub(r"[\d.,%€$£]+", " ", target).split():
        bare = word.strip(";:,.()")
        if bare.lower() in KPI_STOP:
            if words:
                break
            continue
        if bare and bare.lower() not in {"a", "an", "the", "first"}:
            words.append(bare)
    return " ".join(words[:5]).capitalize() or "Result"


def _targets(text: str) -> list[str]:
    return [clause(t) for t in re.split(r"[;\n]|\.\s", text or "") if clause(t)]


@composer("objectives")
def compose_objectives(facts: Facts) -> dict:
    start = _start(facts)
    deadline, kept = _deadline(facts, start)
    segments = [s.get("name") for s in _earlier(facts, "customers").get("segments", []) if s.get("name")]
    targets = _targets(facts.inputs.get("kpi_targets") or "")
    goals = _targets(facts.campaign.get("goals") or "")
    defaults = goals + ["40% of trial accounts active in their first week", "25% of sign-ups from referrals",
                        "1,000 newsletter subscribers", "4.5 of 5 average onboarding rating"]
    wanted = targets or defaults
    count = len(targets) if targets else facts.count(max(3, len(goals)))
    if targets and facts.detailed:
        wanted, count = targets + defaults, len(targets) + 2
    # Tighter dates: the check-points come sooner, the last one still on the deadline.
    tight = any(word in facts.feedback.lower() for word in ("tight", "sooner", "earlier", "faster"))
    span = max((deadline - start).days, 3)
    chosen = list(dict.fromkeys(wanted))[:count]
    objectives = []
    goal_text = "; ".join(goals) or "the launch"
    for index, target in enumerate(chosen):
        share = (index + 1) / len(chosen)
        due = start + timedelta(days=round(span * (share * share if tight else share)))
        due = deadline if index == len(chosen) - 1 else min(due, deadline)
        days = re.search(r"\b(\d{1,3})\s+days\b", target)
        if days:  # "in the first 90 days": due 90 days after the launch, within the deadline
            due = min(start + timedelta(days=int(days.group(1))), deadline)
        segment = segments[index % len(segments)] if segments else ""
        who = f" among {lower_first(segment)}" if segment else ""
        objectives.append({
            "objective": tidy(f"Reach {target}{who} by {due.isoformat()}."),
            "kpi": _kpi_of(target),
            "target": target,
            "date": due.isoformat(),
            "segment": segment,
            "rationale": tidy(f"It moves the campaign goal ({goal_text}) forward"
                              + (f" and speaks to the {lower_first(segment)} segment" if segment else "")
                              + "; the date leaves room to adjust after the first results."),
        })
    first = objectives[0]["date"] if objectives else deadline.isoformat()
    summary = (f"{len(objectives)} SMART objectives lead to the deadline of {deadline.isoformat()}, "
               f"with the first check-point on {first}. Each has one KPI, a target and a date, so progress can be "
               "checked every week.")
    if not kept:
        summary += " The deadline asked for falls before the launch, so these dates follow the launch instead."
    more = f"Nothing is due before the launch on {start.isoformat()}."
    return {"summary": facts.shaped(summary, more), "objectives": objectives}
