"""Review links: an owner or editor shares posts of a campaign's current version with people outside the
workspace through a link that cannot be guessed, expires (after 1 to 30 days, 7 unless chosen) and can be
revoked. Whoever holds it reads the shared posts and, giving their name, approves one or requests changes with
a comment, as a member's review would: the post's review changes, the comment goes on its thread as
"Name (guest)", and the activity says so.

Only a SHA-256 of the link's token is kept. An unknown, revoked or expired link gets the same answer."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..ids import whole
from ..models import Campaign, Post, Variant
from ..models._base import utcnow
from ..models.review_link import ReviewLink
from . import activity, campaigns, comments, roles, webhooks, workspaces
from .errors import Conflict, Forbidden, Invalid, NotFound, clean_text, refuse_nul
from .strategy.lookups import active_posts
from .strategy.review import DECISIONS, set_review
from .strategy.views import media_file

DAYS_DEFAULT = 7
DAYS_MIN, DAYS_MAX = 1, 30
NAME_MAX = 80
POST_IDS_MAX = 500
GONE = "This review link has expired or was withdrawn; ask whoever sent it for a new one."
GUEST = " (guest)"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_editor(workspace_id: int, actor_id: int) -> None:
    role = workspaces.role_of(actor_id, workspace_id)
    if not roles.can(role, "edit"):
        raise Forbidden(roles.refusal(role, "edit") if role else "You are not a member of this workspace.")


def _days(value) -> int:
    days = DAYS_DEFAULT if value is None or value == "" else whole(value.strip() if isinstance(value, str) else value,
                                                                   DAYS_MIN, DAYS_MAX)
    if days is None:
        raise Invalid({"expires_in_days": f"Choose how many days the link works: from {DAYS_MIN} to {DAYS_MAX}."})
    return days


def _chosen(campaign_id: int, post_ids) -> list[int]:
    """The ids of the posts to share: every current post when none are chosen, else the chosen ones, each a
    post of the campaign's current version."""
    current = active_posts(campaign_id)
    if post_ids is None or post_ids == []:
        if not current:
            raise Conflict("This campaign has no posts to share yet: plan the strategy first.")
        return [post.id for post in current]
    if not isinstance(post_ids, list):
        raise Invalid({"post_ids": "Give the posts to share as a list of their ids, or none to share every post."})
    if len(post_ids) > POST_IDS_MAX:
        raise Invalid({"post_ids": f"Share at most {POST_IDS_MAX} posts in one link."})
    found = [whole(value.strip() if isinstance(value, str) else value, 1) for value in post_ids]
    known = {post.id for post in current}
    wrong = [str(value)[:40] for value, number in zip(post_ids, found) if number not in known]
    if wrong:
        raise Invalid({"post_ids": f"These are not posts of the campaign's current strategy: {', '.join(wrong[:5])}. "
                                   "Choose posts from the list."})
    return list(dict.fromkeys(found))


def create(workspace_id: int, campaign_id: int, actor_id: int, post_ids=None, expires_in_days=DAYS_DEFAULT,
           one_use_per_post=False) -> tuple[ReviewLink, str]:
    """Share posts of the campaign's current version (all of them when `post_ids` is empty) for review by a
    link (owners and editors); return the link and its raw token, which is not kept."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    _require_editor(workspace_id, actor_id)
    errors: dict[str, str] = {}
    try:
        days = _days(expires_in_days)
    except Invalid as exc:
        errors.update(exc.fields)
    if one_use_per_post is None:
        one_use_per_post = False
    elif not isinstance(one_use_per_post, bool):
        errors["one_use_per_post"] = "Say true or false: whether each post takes one decision through the link."
    try:
        shared = _chosen(campaign.id, post_ids)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    now, raw = utcnow(), secrets.token_urlsafe(32)
    link = ReviewLink(workspace_id=workspace_id, campaign_id=campaign.id, token_hash=digest(raw), post_ids=shared,
                      created_by_id=actor_id, created_at=now, expires_at=now + timedelta(days=days),
                      one_use_per_post=one_use_per_post, decided_post_ids=[])
    db.session.add(link)
    db.session.flush()
    activity.record(workspace_id, "review_link_created",
                    f"Shared {_posts(len(shared))} for review by a link that works for {days} day{_s(days)}",
                    campaign_id=campaign.id, actor_id=actor_id, subject=link,
                    link=activity.board_path(campaign.id))
    db.session.commit()
    return link, raw


def _posts(n: int) -> str:
    return f"{n} post{_s(n)}"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def get_link(workspace_id: int, campaign_id: int, link_id) -> ReviewLink:
    """A review link of the workspace's campaign; any other id is not found."""
    campaigns.get_campaign(workspace_id, campaign_id)
    link = db.session.get(ReviewLink, link_id) if isinstance(link_id, int) else None
    if link is None or link.campaign_id != campaign_id or link.workspace_id != workspace_id:
        raise NotFound("No such review link.")
    return link


def revoke(workspace_id: int, campaign_id: int, actor_id: int, link_id) -> ReviewLink:
    """Withdraw a review link (owners and editors): it answers as unknown from now on."""
    link = get_link(workspace_id, campaign_id, link_id)
    _require_editor(workspace_id, actor_id)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        activity.record(workspace_id, "review_link_revoked",
                        f"Withdrew a review link that shared {_posts(len(link.post_ids))}",
                        campaign_id=campaign_id, actor_id=actor_id, subject=link,
                        link=activity.board_path(campaign_id))
        db.session.commit()
    return link


def is_live(link: ReviewLink) -> bool:
    return link.revoked_at is None and link.expires_at > utcnow()


@dataclass
class LinksView:
    """A campaign's review links page: the links, newest first, and the current posts one may share."""

    campaign: Campaign
    links: list[ReviewLink]
    posts: list[Post]


def links_view(workspace_id: int, campaign_id: int) -> LinksView:
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    return LinksView(campaign, list_links(campaign), active_posts(campaign.id))


def list_links(campaign: Campaign) -> list[ReviewLink]:
    """The campaign's review links, newest first, live or not."""
    return list(db.session.scalars(select(ReviewLink).where(ReviewLink.campaign_id == campaign.id)
                                   .order_by(ReviewLink.id.desc())))


def find(raw) -> ReviewLink:
    """The live link a token names; NotFound, the same for an unknown, revoked or expired one."""
    link = db.session.scalar(select(ReviewLink).where(ReviewLink.token_hash == digest(raw))) \
        if isinstance(raw, str) and raw and "\x00" not in raw else None
    if link is None or not is_live(link):
        raise NotFound(GONE)
    return link


@dataclass
class SharedPost:
    """A shared post with its current variants (by label) and whether the link still takes a decision on it."""

    post: Post
    variants: dict[str, Variant]
    decided: bool

    @property
    def open(self) -> bool:
        return self.post.status == "ready" and not self.decided


@dataclass
class Shared:
    """What a review link shows: the campaign's name and the shared posts still in its current strategy."""

    link: ReviewLink
    campaign_name: str
    posts: list[SharedPost]
    gone: int  # shared posts since replaced by a newer version of the strategy


def _current_variants(post_ids: list[int]) -> dict[int, dict[str, Variant]]:
    found: dict[int, dict[str, Variant]] = {}
    if post_ids:
        for variant in db.session.scalars(select(Variant).where(Variant.post_id.in_(post_ids),
                                                                Variant.is_current.is_(True))):
            found.setdefault(variant.post_id, {})[variant.label] = variant
    return found


def open_link(raw) -> Shared:
    """The link's campaign and its shared posts that are still current, by phase, with their current variants."""
    link = find(raw)
    posts = [post for post in db.session.scalars(select(Post).where(
        Post.id.in_(link.post_ids or [-1]), Post.campaign_id == link.campaign_id).order_by(Post.phase, Post.id))]
    current = [post for post in posts if post.is_active]
    variants = _current_variants([post.id for post in current])
    decided = set(link.decided_post_ids or []) if link.one_use_per_post else set()
    return Shared(link, db.session.get(Campaign, link.campaign_id).name,
                  [SharedPost(post, variants.get(post.id, {}), post.id in decided) for post in current],
                  len(link.post_ids) - len(current))


def image_file(raw, variant_id):
    """The image file of a variant of a post the live link shares; NotFound for any other."""
    link = find(raw)
    variant = db.session.get(Variant, variant_id) if isinstance(variant_id, int) else None
    if variant is None or variant.post_id not in (link.post_ids or []) or variant.post.campaign_id != link.campaign_id:
        raise NotFound("No such image.")
    return media_file(link.workspace_id, variant.id)


def _name(name) -> str:
    name = clean_text(name if name is not None else "", "name", "Your name", NAME_MAX,
                      empty="Write your name, so the team knows who reviewed the post.")
    refuse_nul(name, "name")
    return " ".join(name.split())


def _comment(comment, required: bool) -> str:
    if comment is None or (isinstance(comment, str) and not comment.strip()):
        if required:
            raise Invalid({"comment": "Say what should change, so the team knows what to do."})
        return ""
    try:
        return comments.clean_body(comment)
    except Invalid as refused:
        raise Invalid({"comment": message for message in refused.fields.values()}) from None


def _shared_post(link: ReviewLink, post_id) -> Post:
    number = whole(post_id, 1)
    post = db.session.get(Post, number) if number is not None and number in (link.post_ids or []) else None
    if post is None or post.campaign_id != link.campaign_id:
        raise NotFound("This link does not share that post.")
    return post


def guest_review(raw, post_id, decision, comment, name) -> Post:
    """A guest's decision on a shared post: approve it, or request changes with a comment. Their name (required)
    signs the comment and the activity as "Name (guest)"; with one use per post, a post takes one decision."""
    link = find(raw)
    # One decision at a time through a link, so one use per post holds when two arrive together.
    db.session.scalar(select(ReviewLink.id).where(ReviewLink.id == link.id).with_for_update())
    post = _shared_post(link, post_id)
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = "Choose Approve or Request changes."
    try:
        name = _name(name)
    except Invalid as exc:
        errors.update(exc.fields)
    try:
        comment = _comment(comment, required=decision == "request_changes")
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    if not post.is_active:
        raise Conflict("This post was replaced by a newer version of the campaign; ask whoever sent the link for "
                       "a new one.")
    if post.status != "ready":
        raise Conflict("This post is not written yet, so it cannot be reviewed; try again later.")
    if link.one_use_per_post and post.id in (link.decided_post_ids or []):
        raise Conflict("A decision on this post was already sent through this link; ask whoever sent it if you "
                       "want to change it.")
    if decision == "approve" and post.review == "approved":
        raise Conflict("This post is already approved.")
    who = name + GUEST
    set_review(post, "approved" if decision == "approve" else "changes_requested")
    post.approval_note = ""
    if comment:
        said = comments.new_comment(link.workspace_id, link.campaign_id, "post", post.id, None, comment)
        said.author_name = who
    quoted = f": {activity.quote(comment)}" if comment else ""
    activity.record(link.workspace_id, "post_approved" if decision == "approve" else "changes_requested",
                    f"{'Approved' if decision == 'approve' else 'Requested changes to'} “{post.title}” through a "
                    f"review link{quoted}", campaign_id=link.campaign_id, actor_name=who, subject=post,
                    link=activity.post_path(link.campaign_id, post.id))
    if post.id not in (link.decided_post_ids or []):
        link.decided_post_ids = [*(link.decided_post_ids or []), post.id]
    if decision == "approve":
        webhooks.emit(link.workspace_id, "post.approved", link.campaign_id, post)
    db.session.commit()
    return post
