"""Writing a checked export as a new campaign, in one transaction."""
from datetime import datetime, timedelta, timezone

from ...extensions import db
from ...models import STEP_KINDS, Campaign, Edge, Member, Phase, Post, StepVersion, StrategyVersion, Variant
from .. import activity

UNFINISHED = ("planned", "writing")


def create(workspace_id: int, clean: dict, steps: list[dict], phases: list[dict], edges: list[tuple[str, str]],
            author_id: int | None, source_version: int | None) -> Campaign:
    """Write the checked export in one transaction."""
    campaign = Campaign(workspace_id=workspace_id, **clean)
    db.session.add(campaign)
    db.session.flush()
    for step in steps:
        earlier = STEP_KINDS[:STEP_KINDS.index(step["kind"])]
        db.session.add(StepVersion(
            campaign_id=campaign.id, kind=step["kind"], number=1, content=step["content"], inputs=step["inputs"],
            feedback=step["feedback"], is_current=True, edited=step["edited"], provider=step["provider"],
            model=step["model"], context_versions={k: 1 for k in earlier if any(s["kind"] == k for s in steps)}))
    if phases:
        source = f", version {source_version}" if source_version is not None else ""
        db.session.add(StrategyVersion(campaign_id=campaign.id, number=1, origin="plan", author_id=author_id,
                                       direction=f"Imported from a JSON export of “{clean['name']}”{source}"))
        campaign.current_version = 1
        now = datetime.now(timezone.utc)
        by_key: dict[str, Post] = {}
        dates = {item["key"]: item.get("date") for phase in phases for item in phase["posts"]}
        for phase in phases:
            db.session.add(Phase(campaign_id=campaign.id, version=1, number=phase["number"], name=phase["name"],
                                 goal=phase["goal"]))
            for item in phase["posts"]:
                # No run will finish a post that was still being written; it can be retried instead.
                unfinished = item["status"] in UNFINISHED
                post = Post(campaign_id=campaign.id, version=1, is_active=True, phase=phase["number"],
                            key=item["key"], title=item["title"], channel=item["channel"],
                            brief=item["brief"], day=item["day"], status="failed" if unfinished else item["status"],
                            error="Imported before it was written; retry to write it." if unfinished else "",
                            approved=item["approved"], approved_at=now if item["approved"] else None,
                            review=item["review"])
                db.session.add(post)
                by_key[post.key] = post
                post.variants = [Variant(
                    label=label, number=1, is_current=True, headline=v["headline"], body=v["body"],
                    call_to_action=v["call_to_action"], hashtags=v["hashtags"], image_prompt=v["image_prompt"],
                    media_path=v["media_path"], edited=v["edited"], provider=v["provider"], model=v["model"],
                ) for label, v in sorted(item["variants"].items())]
        db.session.flush()
        # The keys and edges were checked against the file's own posts: every end is in `by_key`.
        for a, b in edges:
            db.session.add(Edge(campaign_id=campaign.id, from_post_id=by_key[a].id, to_post_id=by_key[b].id))
        for post in by_key.values():
            db.session.add(Member(campaign_id=campaign.id, version=1, post_id=post.id,
                                  moved_to=_moved_to(campaign, post, dates.get(post.key))))
    activity.record(workspace_id, "campaign_imported", f"Imported the campaign “{campaign.name}” from a JSON export",
                    campaign_id=campaign.id, actor_id=author_id, subject=campaign,
                    link=activity.campaign_path(campaign.id))
    db.session.commit()
    return campaign


def _moved_to(campaign: Campaign, post: Post, on):
    """The file's date for the post as a calendar move, when the campaign has a launch date and the date is not
    launch date + day; None otherwise (the post then sits where its day puts it)."""
    if on is None or campaign.launch_date is None or on == campaign.launch_date + timedelta(days=post.day):
        return None
    return on
