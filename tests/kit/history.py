"""Campaigns with a history, made through the services without model calls, for tests and benchmarks:
a written plan imported as version 1, versions grown by restores, chat messages and metric rows."""
from datetime import date, timedelta

from sqlalchemy import select

from gtm.extensions import db
from gtm.models import Campaign, Member, Phase, Post, StrategyVersion
from gtm.services import chat, exports, imports, results, strategy

from tests.kit.plans import valid_plan

CAMPAIGN = {"name": "History", "product": "Bloom is a CRM for independent florists: orders, deliveries and "
            "repeat customers in one place.", "audience": "Owners of independent flower shops",
            "goals": "300 paid sign-ups in the first 90 days", "competitors": ["Floranext", "Spreadsheets"],
            "channels": ["linkedin", "email", "instagram"], "budget": "12000", "currency": "EUR",
            "brief": "Launch at the spring trade fair."}
# What people write in the chat: questions (answered with the help) and commands that need no model.
CHAT_TEXTS = ("How is phase 2 doing?", "!help", "Can we make the tone warmer for the email posts?",
              "What should we try next week?")


def planned(workspace_id: int, name: str = "History", sizes=(3, 3, 3, 3)) -> Campaign:
    """A campaign whose strategy, written and with both variants of every post, is version 1 (imported as an
    export would be)."""
    plan = valid_plan(sizes)
    for phase in plan["phases"]:
        for post in phase["posts"]:
            post.update(status="ready", approved=False, variants={
                label: {"headline": f"{post['key']} {label}: spring is busy", "body": "Orders, deliveries and "
                        "repeat customers in one place.", "call_to_action": "Try Bloom free.",
                        "hashtags": ["florist"], "image_prompt": "A flower shop at dawn."} for label in "AB"})
    doc = {"format": exports.FORMAT, "format_version": exports.FORMAT_VERSION,
           "campaign": {**CAMPAIGN, "name": name}, "steps": [], **plan}
    return imports.import_campaign(workspace_id, doc)


def regenerate_first_phase(campaign: Campaign) -> None:
    """The next version as a regeneration from phase 1 saves it: phase 1's posts archived, new ones in their place."""
    old, new = campaign.current_version, campaign.current_version + 1
    db.session.add(StrategyVersion(campaign_id=campaign.id, number=new, origin="regenerate", from_phase=1,
                                   direction="Lead with delivery tracking", based_on=old))
    for phase in db.session.scalars(select(Phase).where(Phase.campaign_id == campaign.id, Phase.version == old)):
        db.session.add(Phase(campaign_id=campaign.id, version=new, number=phase.number, name=phase.name,
                             goal=phase.goal))
    posts = db.session.scalars(select(Post).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign.id, Member.version == old)).all()
    for post in posts:
        if post.phase == 1:
            post.is_active = False
            post = Post(campaign_id=campaign.id, version=new, phase=1, key=f"r{new}{post.key}",
                        title=f"{post.title} again", channel=post.channel, brief=post.brief, day=post.day,
                        status="ready")
            db.session.add(post)
            db.session.flush()
        db.session.add(Member(campaign_id=campaign.id, version=new, post_id=post.id))
    campaign.current_version = new
    db.session.commit()


def grow_versions(workspace_id: int, campaign: Campaign, total: int, author_id: int | None = None) -> None:
    """Bring a freshly planned campaign to `total` strategy versions: a regeneration, then restores of versions
    1 and 2 in turn, through the restore service (no model calls)."""
    if total > 1:
        regenerate_first_phase(campaign)
    for number in range(3, total + 1):
        strategy.restore_version(workspace_id, campaign.id, 1 if number % 2 else 2, author_id=author_id)


def chat_messages(workspace_id: int, campaign: Campaign, user, count: int) -> None:
    """Post `count` messages that change nothing (questions and !help), through the chat service; each question
    starts the run that answers it."""
    for number in range(count):
        chat.post_message(workspace_id, campaign.id, user.id, user.email, CHAT_TEXTS[number % len(CHAT_TEXTS)])


def metrics(workspace_id: int, campaign: Campaign, days: int) -> None:
    """`days` days of numbers for both variants of every current post, through the results service."""
    posts = db.session.scalars(select(Post.id).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign.id, Member.version == campaign.current_version)).all()
    last = date.today() - timedelta(days=1)
    rows = [{"post_id": str(post_id), "variant": label, "date": (last - timedelta(days=day)).isoformat(),
             "impressions": 1000 + 10 * day, "clicks": 12 + day % 5 + (3 if label == "B" else 0),
             "conversions": 1, "spend": "4.50"}
            for post_id in posts for label in "AB" for day in range(days)]
    results.record_metrics(workspace_id, campaign.id, rows)


def past_alerts(workspace_id: int, campaign: Campaign, count: int) -> None:
    """`count` past alerts: a trigger on phase 2's CTR fires on each new day of poor numbers, through the
    results services, and each alert is dismissed before the next day's numbers come."""
    results.create_trigger(workspace_id, campaign.id, {"metric": "ctr", "comparison": "<", "threshold": 1,
                                                "min_impressions": 0, "scope_phase": 2, "action": "regenerate"})
    posts = db.session.scalars(select(Post.id).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign.id, Member.version == campaign.current_version, Post.phase == 2)).all()
    for number in range(count):
        day = (date.today() - timedelta(days=number + 1)).isoformat()
        results.record_metrics(workspace_id, campaign.id, [
            {"post_id": str(post_id), "variant": label, "date": day, "impressions": 1000, "clicks": 2}
            for post_id in posts for label in "AB"])
        for alert in results.open_alerts(workspace_id, campaign.id):
            results.dismiss_alert(workspace_id, campaign.id, alert.id)
