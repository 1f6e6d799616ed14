"""Exports of a campaign's strategy version: a JSON file that imports again, a Markdown brief (alone, or in a
zip with its images), a CSV content calendar and an ICS calendar.

Every format is built from one `Snapshot` of the version: its phases, member posts, the edges among them
and each post's current variants. The JSON names media by reference (paths relative to the media folder);
the plain Markdown names no file at all, since none comes with it; the zip holds `strategy.md` and the
images it shows, under `images/`, named after the post's id and the variant's label only, and is the same
bytes for the same content (fixed times and order). The calendar formats place a post on its date in the version (gtm.services.calendar.date_of: where it was
moved to on the calendar, else the campaign's launch date + the post's day); a campaign without a launch
date is placed from today, and the JSON, Markdown and ICS files say so.

Each file is safe to open whatever people or the model wrote: text in the Markdown has `&`, `<` and `>`
escaped, so raw HTML in it shows as text and only the structure gtm writes is Markdown; a CSV cell that a
spreadsheet would take for a formula is written as text (gtm.services.csvsafe); the ICS calendar's text
is escaped by the icalendar library, so a line break in a title cannot start a property of its own.
"""
import csv
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar, Event
from sqlalchemy import select

from ..extensions import db
from ..models import STEP_KINDS, Campaign, Member, Phase, Post, StepVersion, StrategyVersion, Variant
from . import activity, calendar, campaigns, media
from .csvsafe import text_cell
from .errors import Conflict, Invalid
from .strategy.context import channel_names
from .strategy.lookups import current_variant, edges_among, member_posts, phases
from .strategy.restore import get_version
from .strategy.review import REVIEW_NAMES

FORMAT = "gtm.campaign"
FORMAT_VERSION = 1
VARIANT_LABELS = ("A", "B")
# format: (Content-Type, file extension, what it is called in messages)
FORMATS = {
    "json": ("application/json", "json", "JSON"),
    "md": ("text/markdown; charset=utf-8", "md", "Markdown"),
    "zip": ("application/zip", "zip", "Markdown with images"),
    "csv": ("text/csv; charset=utf-8", "csv", "CSV"),
    "ics": ("text/calendar; charset=utf-8", "ics", "a calendar"),
}
CSV_COLUMNS = ("date", "channel", "title", "variant", "headline", "body", "call_to_action", "hashtags", "approved")


@dataclass
class File:
    """An export, ready to send: its bytes, Content-Type and file name."""

    data: bytes
    content_type: str
    filename: str


@dataclass
class Snapshot:
    campaign: Campaign
    version: StrategyVersion | None
    steps: list[StepVersion]
    phases: list[Phase] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    edges: list[tuple[Post, Post]] = field(default_factory=list)
    variants: dict[int, dict[str, Variant]] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    # The version's member rows by post id: where a post was moved to on the calendar in this version.
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def start(self) -> date:
        return self.campaign.launch_date or self.today

    @property
    def assumed_today(self) -> str | None:
        """The note every format carries when the campaign has no launch date."""
        if self.campaign.launch_date:
            return None
        return (f"The campaign has no launch date, so this export assumes the launch is today "
                f"({self.today.isoformat()}); set one to place the posts on their real dates.")

    def date_of(self, post: Post) -> date:
        """The post's date in this version: where it was moved to on the calendar, else launch date + day."""
        return calendar.date_of(self.campaign, self.members.get(post.id), post, self.today)


def check_format(value) -> str:
    """Return the export format, or raise Invalid naming `format`."""
    if value not in FORMATS:
        raise Invalid({"format": f"Choose the format {', '.join(FORMATS)} (got {str(value)[:20]!r})."},
                      "Unknown export format.")
    return value


def export(workspace_id: int, campaign_id: int, fmt, version=None, today: date | None = None) -> File:
    """Export strategy version `version` (the current one by default) of the campaign in format `fmt`."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    fmt = check_format(fmt)
    snapshot = snapshot_of(campaign, version, today or date.today())
    if snapshot.version is None and fmt != "json":
        raise Conflict(f"This campaign has no strategy yet, so there is nothing to export as {FORMATS[fmt][2]}. "
                       "Plan the strategy first (the JSON export holds the campaign and its analysis already).")
    build = {"json": _json, "md": _markdown, "csv": _csv, "ics": _ics, "zip": _zip}[fmt]
    content_type, extension, _ = FORMATS[fmt]
    suffix = f"-v{snapshot.version.number}" if snapshot.version else ""
    found = File(build(snapshot), content_type, f"{slug(campaign.name)}{suffix}.{extension}")
    # A download changes nothing, but who took the campaign away, and when, is worth knowing.
    activity.record(workspace_id, "campaign_exported", f"Downloaded “{campaign.name}” as {FORMATS[fmt][2]}"
                    + (f" (version {snapshot.version.number})" if snapshot.version else ""), campaign_id=campaign_id,
                    link=activity.campaign_path(campaign_id))
    db.session.commit()
    return found


def snapshot_of(campaign: Campaign, version, today: date) -> Snapshot:
    """Read what an export holds; `version` None means the current version (or none, before a plan)."""
    steps = list(db.session.scalars(select(StepVersion).where(StepVersion.campaign_id == campaign.id,
                                                              StepVersion.is_current.is_(True))))
    steps.sort(key=lambda step: STEP_KINDS.index(step.kind))
    if version is None and campaign.current_version is None:
        return Snapshot(campaign, None, steps, today=today)
    found = get_version(campaign.id, campaign.current_version if version is None else version)
    posts = member_posts(campaign.id, found.number)
    by_id = {post.id: post for post in posts}
    return Snapshot(
        campaign, found, steps, phases(campaign.id, found.number), posts,
        [(by_id[a], by_id[b]) for a, b in edges_among(list(by_id))],
        {post.id: {label: v for label in VARIANT_LABELS if (v := current_variant(post.id, label))} for post in posts},
        today, calendar.members_of(campaign.id, found.number),
    )


def slug(name: str) -> str:
    """Return an ASCII file-name slug of a campaign name ("Bloom launch!" -> "bloom-launch")."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-") or "campaign"


def hashtags(tags) -> str:
    """Return hashtags space-separated, each with one leading #."""
    return " ".join("#" + str(tag).strip().lstrip("#") for tag in tags or [] if str(tag).strip().lstrip("#"))


# -- JSON ----------------------------------------------------------------------------------------

def document(snapshot: Snapshot) -> dict:
    """Return the JSON export as a dict: everything an import needs, and nothing of this instance but `exported`."""
    c = snapshot.campaign
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        # Where and when it came from; an import neither needs nor keeps these.
        "exported": {
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "campaign_id": str(c.id),
            "version": snapshot.version.number if snapshot.version else None,
            "assumed_launch_date": snapshot.today.isoformat() if not c.launch_date else None,
        },
        "campaign": campaigns.CampaignFields.model_validate(c).model_dump(mode="json"),
        "steps": [{
            "kind": s.kind, "content": s.content, "inputs": s.inputs or {}, "feedback": s.feedback or "",
            "edited": s.edited, "provider": s.provider or "", "model": s.model or "",
        } for s in snapshot.steps],
        "phases": [{
            "number": phase.number, "name": phase.name, "goal": phase.goal,
            "posts": [_post(post, snapshot.variants.get(post.id, {}), snapshot.date_of(post))
                      for post in snapshot.posts if post.phase == phase.number],
        } for phase in snapshot.phases],
        "edges": [{"from": a.key, "to": b.key} for a, b in snapshot.edges],
    }


def _post(post: Post, variants: dict[str, Variant], day: date) -> dict:
    return {
        "key": post.key, "title": post.title, "channel": post.channel, "brief": post.brief, "day": post.day,
        "date": day.isoformat(),
        "status": post.status, "approved": post.approved, "review": post.review,
        "variants": {label: {
            "headline": v.headline, "body": v.body, "call_to_action": v.call_to_action,
            "hashtags": list(v.hashtags or []), "image_prompt": v.image_prompt, "media_path": v.media_path,
            "edited": v.edited, "provider": v.provider or "", "model": v.model or "",
        } for label, v in variants.items()},
    }


def _json(snapshot: Snapshot) -> bytes:
    return json.dumps(document(snapshot), ensure_ascii=False, indent=2).encode("utf-8")


# -- Markdown ------------------------------------------------------------------------------------

def _line(text: str) -> str:
    """One line of text for a heading or a list item."""
    return " ".join(str(text).split())


def _md(text) -> str:
    """Text people or the model wrote, for the Markdown file: a Markdown viewer shows raw HTML in it as
    text rather than running it, and an entity in it stays what was typed."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A link may only lead to the web or to mail: `[x](javascript:…)` and `[x]: data:…` stay as text.
    text = _INLINE_LINK.sub(lambda m: m.group(0) if _safe_scheme(m.group(1)) else m.group(0).replace("](", "]\\(", 1),
                            text)
    return _REFERENCE_LINK.sub(lambda m: m.group(0) if _safe_scheme(m.group(1)) else "\\" + m.group(0), text)


_INLINE_LINK = re.compile(r"\]\(\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")
_REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]\n]*\]:\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:", re.MULTILINE)


def _safe_scheme(scheme: str) -> bool:
    return scheme.lower() in ("http", "https", "mailto")


def _markdown(snapshot: Snapshot, images: dict[int, str] | None = None) -> bytes:
    """The Markdown brief. `images` (a variant's id → its file inside the zip) puts each image in it; without
    them, a variant with an image says it comes in the zip download, and names no file."""
    names = channel_names()
    c, number = snapshot.campaign, snapshot.version.number
    out = [f"# {_md(_line(c.name))}: strategy version {number}", ""]
    out += [f"- **Product:** {_md(_line(c.product))}", f"- **Audience:** {_md(_line(c.audience))}",
            f"- **Goals:** {_md(_line(c.goals))}",
            f"- **Channels:** {_md(', '.join(names.get(ch, ch) for ch in c.channels or []))}",
            f"- **Launch date:** {c.launch_date.isoformat() if c.launch_date else 'not set'}", ""]
    if snapshot.assumed_today:
        out += [f"> **Note:** {snapshot.assumed_today}", ""]
    for phase in snapshot.phases:
        out += [f"## Phase {phase.number}: {_md(_line(phase.name))}", "", _md(phase.goal.strip()), ""]
        for post in (p for p in snapshot.posts if p.phase == phase.number):
            out += [f"### {_md(_line(post.title))}", "",
                    f"- **Channel:** {_md(names.get(post.channel, post.channel))}",
                    f"- **Date:** {snapshot.date_of(post).isoformat()} (day {post.day})",
                    f"- **Status:** {_md(post.status)}",
                    f"- **Approved:** {'yes' if post.approved else 'no'}",
                    f"- **Review:** {REVIEW_NAMES.get(post.review, post.review)}", "",
                    f"**Brief:** {_md(post.brief.strip())}", ""]
            for label, variant in snapshot.variants.get(post.id, {}).items():
                out += [f"#### Variant {label}: {_md(_line(variant.headline))}", "", _md(variant.body.strip()), "",
                        f"- **Call to action:** {_md(_line(variant.call_to_action))}",
                        f"- **Hashtags:** {_md(hashtags(variant.hashtags)) or 'none'}"]
                if images is not None and variant.id in images:
                    out.append(f"- **Image:** ![Image of variant {label}]({images[variant.id]})")
                elif images is None and variant.media_path:
                    out.append("- **Image:** in the download “Markdown with images”")
                out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


# -- Markdown with images ------------------------------------------------------------------------

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry's time, so the same content makes the same bytes


def zip_images(snapshot: Snapshot) -> dict[int, tuple[str, bytes]]:
    """The images the zip holds: a variant's id → its name inside the zip and its bytes. A name is made of ids
    only; an image whose file is not in the workspace's media folder is left out (and the Markdown says nothing
    of it)."""
    found = {}
    for post in snapshot.posts:
        for label, variant in snapshot.variants.get(post.id, {}).items():
            stored = media.path(snapshot.campaign.workspace_id, variant.media_path) if variant.media_path else None
            if stored is not None:
                found[variant.id] = (f"images/post-{int(post.id)}-{label.lower()}.png", stored.read_bytes())
    return found


def _zip(snapshot: Snapshot) -> bytes:
    images = zip_images(snapshot)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        def add(name: str, data: bytes, compress: int) -> None:
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = compress
            archive.writestr(entry, data)

        add("strategy.md", _markdown(snapshot, {key: name for key, (name, _) in images.items()}), zipfile.ZIP_DEFLATED)
        for name, data in images.values():
            add(name, data, zipfile.ZIP_STORED)  # a PNG is compressed already
    return buffer.getvalue()


# -- CSV -----------------------------------------------------------------------------------------

def _csv(snapshot: Snapshot) -> bytes:
    """One row per post and current variant (a post not written yet gets one row without one)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)

    def row(cells: list) -> None:
        # Every column of the calendar is text (a date, yes or no, words); none is a number to add up.
        writer.writerow([text_cell(cell) for cell in cells])

    for post in snapshot.posts:
        variants = snapshot.variants.get(post.id, {})
        common = [snapshot.date_of(post).isoformat(), post.channel, post.title]
        approved = "yes" if post.approved else "no"
        if not variants:
            row([*common, "", "", "", "", "", approved])
        for label, v in variants.items():
            row([*common, label, v.headline, v.body, v.call_to_action, hashtags(v.hashtags), approved])
    return buffer.getvalue().encode("utf-8")


# -- ICS -----------------------------------------------------------------------------------------

def uid(post: Post) -> str:
    """The post's event UID: the same in every export of it, so a calendar updates rather than duplicates."""
    return f"post-{post.id}.campaign-{post.campaign_id}@gtm"


def ics_calendar(snapshot: Snapshot, name: str) -> Calendar:
    """An empty calendar called `name`, saying so when the posts are placed from today."""
    calendar = Calendar()
    calendar.add("prodid", "-//gtm//campaign calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _line(name))
    if snapshot.assumed_today:
        calendar.add("x-wr-caldesc", snapshot.assumed_today)
    return calendar


def ics_event(snapshot: Snapshot, post: Post, stamp: datetime, summary: str | None = None) -> Event:
    """The post as an all-day event on its date, under its stable UID (the export's and the feed's)."""
    day = snapshot.date_of(post)
    event = Event()
    event.add("uid", uid(post))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", _line(post.title if summary is None else summary))
    headline = snapshot.variants.get(post.id, {}).get("A")
    description = post.brief.strip()
    if headline:
        description += f"\n\nHeadline A: {_line(headline.headline)}"
    if snapshot.assumed_today:
        description += f"\n\n{snapshot.assumed_today}"
    event.add("description", description)
    event.add("categories", [post.channel])
    return event


def _ics(snapshot: Snapshot) -> bytes:
    calendar = ics_calendar(snapshot, f"{snapshot.campaign.name} (version {snapshot.version.number})")
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    for post in snapshot.posts:
        calendar.add_component(ics_event(snapshot, post, stamp))
    return calendar.to_ical()
