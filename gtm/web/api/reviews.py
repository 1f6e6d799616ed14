"""The API's reviews and comments: submit written drafts for review, approve a post or request changes, and a
post's comments (read them oldest first, add one)."""
from typing import Any

from pydantic import Field

from ...services import comments, strategy
from ...services.comments import BODY_MAX
from ...services.strategy.review import POST_IDS_MAX
from .answers import Answer, Attributes, IdText, OrNull, Timestamp, answer
from .blueprint import bp, user, workspace
from .fields import Body, passed_on
from .parsing import documented
from .strategy import Post

POST = "/campaigns/<int:campaign_id>/posts/<int:post_id>"


class SubmitForReview(Body):
    """The posts to submit for review: written drafts (or posts sent back for changes) of the current version."""

    post_ids: Any = passed_on({"type": "array", "minItems": 1, "maxItems": POST_IDS_MAX,
                               "items": {"type": "string"}, "description": "Post ids (text or numbers)"})


class Submitted(Answer):
    """How many of the posts went to review; the others were not written drafts and are left as they were."""

    submitted: int


class ReviewInput(Body):
    """A reviewer's decision on a post."""

    decision: Any = passed_on({"type": "string", "enum": list(strategy.DECISIONS)})
    comment: Any = passed_on({"type": "string", "maxLength": BODY_MAX,
                              "description": "Required to request changes; saved as a comment on the post"})


class CommentAuthor(Answer):
    user_id: IdText | None = Field(validation_alias="author_id", description="Null for someone without an account")
    name: str = Field(validation_alias="author_name", description="Their email, or the name they gave")


class Comment(Answer):
    """A comment on a post; a deleted one keeps its place with no body."""

    id: IdText
    author: CommentAuthor
    body: OrNull = Field(description="Plain text; null once deleted")
    created_at: Timestamp
    edited_at: Timestamp | None
    deleted: bool

    @classmethod
    def of(cls, comment):
        deleted = comment.deleted_at is not None
        return cls.model_validate(Attributes(comment, author=CommentAuthor.model_validate(comment),
                                             body=None if deleted else comment.body, deleted=deleted))


class Comments(Answer):
    """A post's comments, oldest first."""

    comments: list[Comment]


class CommentInput(Body):
    body: Any = passed_on({"type": "string", "minLength": 1, "maxLength": BODY_MAX})



@bp.post("/campaigns/<int:campaign_id>/reviews")
@documented({200: Submitted}, body=SubmitForReview)
def submit_for_review(campaign_id: int, body: SubmitForReview):
    """Submit written drafts of the current version for review (editors and owners)."""
    count = strategy.submit_for_review(workspace(), campaign_id, user().id, body.post_ids or [])
    return answer(Submitted(submitted=count))


@bp.post(f"{POST}/review")
@documented({200: Post}, body=ReviewInput, errors=(409,))
def review_post(campaign_id: int, post_id: int, body: ReviewInput):
    """Approve a post, or request changes with a comment (reviewers and owners; never the post's submitter)."""
    post = strategy.review_post(workspace(), campaign_id, user().id, post_id, body.decision, body.comment)
    return answer(Post.model_validate(post))


@bp.get(f"{POST}/comments")
@documented({200: Comments})
def list_post_comments(campaign_id: int, post_id: int):
    """Return a post's comments, oldest first."""
    thread = comments.thread(workspace(), campaign_id, "post", post_id)
    return answer(Comments(comments=[Comment.of(comment) for comment in thread.comments]))


@bp.post(f"{POST}/comments")
@documented({201: Comment}, body=CommentInput)
def create_post_comment(campaign_id: int, post_id: int, body: CommentInput):
    """Comment on a post (every member may)."""
    comment = comments.add_comment(workspace(), campaign_id, "post", post_id, user().id, body.body)
    return answer(Comment.of(comment), 201)

