"""A strategy version's members: the posts that belong to it, each with the calendar date it was moved to.

Every way a version is made adds its members here, so a post a new version keeps carries its move with it:
regenerating from phase N keeps the earlier phases' posts with the dates they were moved to in the version it
started from, restoring version K brings back K's dates, and a follow-up version (n+1: every post, plus one new
post) keeps every post's date. The version a move came from keeps it too, so history is not rewritten.
"""
from sqlalchemy import select

from ...extensions import db
from ...models import Member


def add_members(campaign_id: int, number: int, post_ids, carried_from: int | None = None) -> list[Member]:
    """Add the posts `post_ids` as members of version `number` (the caller commits); each takes the calendar move
    (moved_to, moved_by_id, moved_at) of its member row in version `carried_from`, when it had one there."""
    post_ids = list(post_ids)
    earlier = {}
    if carried_from is not None and post_ids:
        earlier = {m.post_id: m for m in db.session.scalars(select(Member).where(
            Member.campaign_id == campaign_id, Member.version == carried_from, Member.post_id.in_(post_ids)))}
    added = []
    for post_id in post_ids:
        source = earlier.get(post_id)
        member = Member(campaign_id=campaign_id, version=number, post_id=post_id)
        if source is not None and source.moved_to is not None:
            member.moved_to, member.moved_by_id, member.moved_at = source.moved_to, source.moved_by_id, source.moved_at
        db.session.add(member)
        added.append(member)
    return added
