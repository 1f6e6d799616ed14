"""The action a chat answer suggests, checked against the campaign before it is shown as a button.

A suggestion is only shown when it could be carried out now: a phase of the current version, a post of
the current version whose variant exists, follow-up posts of the current version and of one phase, and
texts within the limits of the dialogs they fill in. Anything else is dropped (the answer still shows) and
logged. Nothing is started here: the button opens the dialog, and the dialog's own submit starts the work.
"""
import logging

from sqlalchemy import select

from ...extensions import db
from ...ids import whole
from ...models import Campaign, Member, Post
from .. import strategy
from ..errors import Conflict, Invalid, ServiceError, clean_text
from ..strategy.follow_up import picked_posts
from ..strategy.lookups import current_variant, phases

log = logging.getLogger(__name__)

KINDS = ("regenerate", "rewrite_variant", "follow_up")


class Dropped(Exception):
    """The suggestion does not fit the campaign; the message says why, for the log."""


def checked(campaign: Campaign, action) -> dict | None:
    """Return the action as stored on the message when it fits the campaign now, else None (and log why)."""
    if action is None:
        return None
    data = action.model_dump() if hasattr(action, "model_dump") else action
    try:
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise Dropped("it is not one of the actions gtm offers")
        if campaign.current_version is None:
            raise Dropped("the campaign has no strategy yet")
        return {"regenerate": _regenerate, "rewrite_variant": _rewrite_variant,
                "follow_up": _follow_up}[data["kind"]](campaign, data)
    except Dropped as exc:
        reason = str(exc)
    except (ServiceError, KeyError, TypeError, ValueError) as exc:
        reason = " ".join(exc.fields.values()) if isinstance(exc, Invalid) else \
            getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    log.warning("campaign %s: dropped the suggested action %r: %s", campaign.id, data, reason)
    return None


def _number(value, what: str) -> int:
    number = whole(value, 1) if not isinstance(value, bool) else None
    if number is None:
        raise Dropped(f"{what} {value!r} is not an id or a number")
    return number


def _regenerate(campaign: Campaign, data: dict) -> dict:
    phase = _number(data["phase"], "the phase")
    count = len(phases(campaign.id, campaign.current_version))
    if not 1 <= phase <= count:
        raise Dropped(f"phase {phase} is not a phase of version {campaign.current_version} (1 to {count})")
    direction = clean_text(data["direction"], "direction", "The direction", strategy.DIRECTION_MAX,
                           empty="the direction is empty")
    return {"kind": "regenerate", "phase": phase, "direction": direction}


def _rewrite_variant(campaign: Campaign, data: dict) -> dict:
    post_id = _number(data["post_id"], "the post")
    member = db.session.scalar(select(Post).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign.id, Member.version == campaign.current_version, Post.id == post_id))
    if member is None:
        raise Dropped(f"post {post_id} is not a post of version {campaign.current_version}")
    label = data["variant"]
    if label not in strategy.VARIANT_LABELS or current_variant(post_id, label) is None:
        raise Dropped(f"post {post_id} has no variant {label!r}")
    feedback = clean_text(data["feedback"], "feedback", "The feedback", strategy.VARIANT_FEEDBACK_MAX,
                          empty="the feedback is empty")
    return {"kind": "rewrite_variant", "post_id": post_id, "variant": label, "feedback": feedback}


def _follow_up(campaign: Campaign, data: dict) -> dict:
    after = data["after"]
    if not isinstance(after, list) or not after:
        raise Dropped("it names no posts to follow up on")
    try:
        picked = picked_posts(campaign, after)
    except Conflict as exc:
        raise Dropped(exc.message) from exc
    if len({post.phase for post in picked}) != 1:
        raise Dropped("the posts to follow up on are of more than one phase")
    instruction = clean_text(data["instruction"], "instruction", "The instruction", strategy.INSTRUCTION_MAX,
                             empty="the instruction is empty")
    return {"kind": "follow_up", "after": [post.id for post in picked], "instruction": instruction}
