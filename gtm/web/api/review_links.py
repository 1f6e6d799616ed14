"""The API's review links: share posts of a campaign's current version with people outside the workspace by a
link that expires and can be withdrawn (owners and editors)."""
from typing import Any

from pydantic import Field

from ...services import review_links
from ..links import external
from .answers import Answer, IdText, Timestamp, answer
from .blueprint import bp, user, workspace
from .fields import Body, passed_on
from .parsing import documented


class ReviewLinkInput(Body):
    """What to share, and for how long."""

    post_ids: Any = passed_on({"type": "array", "maxItems": review_links.POST_IDS_MAX, "items": {"type": "string"},
                               "description": "Post ids (text or numbers) of the current version; none or an "
                                              "empty list shares every current post"})
    expires_in_days: Any = passed_on({"type": "integer", "minimum": review_links.DAYS_MIN,
                                      "maximum": review_links.DAYS_MAX, "default": review_links.DAYS_DEFAULT})
    one_use_per_post: Any = passed_on({"type": "boolean", "default": False,
                                       "description": "Each post takes one decision through the link"})


class ReviewLinkMade(Answer):
    """A review link made: anyone who has `url` reads the shared posts and approves them or requests changes
    until `expires_at`. The link is answered only here, once."""

    id: IdText
    url: str = Field(description="The link to give the reviewer")
    expires_at: Timestamp


@bp.post("/campaigns/<int:campaign_id>/review-links")
@documented({201: ReviewLinkMade}, body=ReviewLinkInput, optional=True, errors=(403, 409))
def create_review_link(campaign_id: int, body: ReviewLinkInput):
    """Share posts of the campaign's current version for review by a link (owners and editors)."""
    link, raw = review_links.create(workspace(), campaign_id, user().id, body.post_ids, body.expires_in_days,
                                    body.one_use_per_post)
    return answer(ReviewLinkMade(id=link.id, url=external("review_links.shared", token=raw),
                                 expires_at=link.expires_at), 201)


@bp.delete("/campaigns/<int:campaign_id>/review-links/<int:link_id>")
@documented({204: None}, errors=(403,))
def revoke_review_link(campaign_id: int, link_id: int):
    """Withdraw a review link: it answers 404 from then on."""
    review_links.revoke(workspace(), campaign_id, user().id, link_id)
    return "", 204
