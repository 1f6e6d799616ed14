"""The API's variants of a post: read a variant's versions, save a hand-edited version, and make an older
version current again. Any of these changes to an approved post takes its approval away."""
from typing import Any

from pydantic import Field

from ...services import strategy
from ...services.strategy.variants import CALL_TO_ACTION_MAX, HASHTAG_MAX, HASHTAGS_MAX, HEADLINE_MAX
from .answers import Answer, Attributes, OrNull, Timestamp, Tokens, answer
from .blueprint import bp, workspace
from .fields import Body, VersionNumber, passed_on
from .parsing import documented


class EditVariant(Body):
    """A variant's words as a person wrote them; the image and its prompt stay as they were."""

    headline: Any = passed_on({"type": "string", "minLength": 1, "maxLength": HEADLINE_MAX})
    body: Any = passed_on({"type": "string", "minLength": 1,
                           "description": "Markdown; the channel's limit applies (see the post page)"})
    call_to_action: Any = passed_on({"type": "string", "minLength": 1,
                                     "maxLength": CALL_TO_ACTION_MAX})
    hashtags: Any = passed_on({"type": "array", "maxItems": HASHTAGS_MAX,
                               "items": {"type": "string", "maxLength": HASHTAG_MAX},
                               "description": "With or without '#'; text separated by spaces or commas is read too"})
    based_on: VersionNumber = Field(None, description="The version edited: when the variant has changed since, "
                                    "nothing is saved (409); the current one by default")


class DraftWarning(Answer):
    """A rule the variant's words break: its channel's (a length, the hashtags, links) or the brand voice's."""

    rule: str = Field(description="Which rule, such as x.length, email.preview or voice_avoid")
    message: str = Field(description="What is wrong, in words for the marketer")


class VariantVersion(Answer):
    """One version of a variant of a post."""

    number: int
    current: bool = Field(validation_alias="is_current")
    edited: bool = Field(description="Written by a person rather than by the model")
    headline: str
    body: str
    call_to_action: str
    hashtags: list[str]
    image_prompt: str
    has_image: bool = Field(validation_alias="media_path", description="Whether the version has its image")
    warnings: list[DraftWarning] = Field(description="What the words still break after the one repair call "
                                         "(nothing is cut); empty when they fit")
    feedback: OrNull = Field(description="The feedback it was rewritten with")
    based_on: int | None
    provider: OrNull
    model: OrNull
    tokens: Tokens
    created_at: Timestamp

    @classmethod
    def of(cls, variant):
        return cls.model_validate(Attributes(variant, hashtags=list(variant.hashtags or []),
                                             media_path=bool(variant.media_path), tokens=variant,
                                             warnings=list(variant.warnings or [])))


class VariantVersions(Answer):
    """A variant's versions, oldest first."""

    label: str
    versions: list[VariantVersion]


PATH = "/campaigns/<int:campaign_id>/posts/<int:post_id>/variants/<label>"


@bp.get(PATH)
@documented({200: VariantVersions})
def get_variant(campaign_id: int, post_id: int, label: str):
    """Return every version of variant A or B of a post, oldest first."""
    found = strategy.variant_versions(workspace(), campaign_id, post_id, label)
    return answer(VariantVersions(label=label, versions=[VariantVersion.of(v) for v in found]))


@bp.post(f"{PATH}/versions")
@documented({201: VariantVersion}, body=EditVariant, errors=(409,))
def create_variant_version(campaign_id: int, post_id: int, label: str, body: EditVariant):
    """Save hand-edited words as the variant's new current version; the old one is kept."""
    fields = {name: getattr(body, name) for name in ("headline", "body", "call_to_action", "hashtags")}
    variant = strategy.edit_variant(workspace(), campaign_id, post_id, label, fields, body.based_on)
    return answer(VariantVersion.of(variant), 201)


@bp.post(f"{PATH}/versions/<int:number>/make-current")
@documented({200: VariantVersion}, errors=(409,))
def make_variant_version_current(campaign_id: int, post_id: int, label: str, number: int):
    """Make an older version of a variant current again; nothing is deleted."""
    return answer(VariantVersion.of(strategy.make_variant_current(workspace(), campaign_id, post_id, label, number)))
