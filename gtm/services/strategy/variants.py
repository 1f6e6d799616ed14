"""Variants A and B of a post: check and save the model's content, make their images, and revise one.

Regenerating a variant adds a version and makes it current; the old one is kept. Every variant
records the provider and model that wrote it, with the tokens its call used.
"""
import logging
from types import SimpleNamespace

from sqlalchemy import select, update

from ... import jobnames, llm
from ...extensions import db
from ...llm import schemas
from ...models import Campaign, Post, Run, Variant
from .. import activity, channel_rules, media, results, runs, voice
from ...ids import whole
from ..errors import Conflict, Invalid, NotFound, clean_text, refuse_nul
from ..numbering import commit_retrying, next_number
from .approval import take_approval
from .context import HASHTAGS_MAX, body_limit, post_prompt_context
from .lookups import current_variant, get_post, require_active, variant_subject

log = logging.getLogger(__name__)

VARIANT_LABELS = ("A", "B")
VARIANT_FEEDBACK_MAX = 1000
HEADLINE_MAX = 200
CALL_TO_ACTION_MAX = 300
IMAGE_PROMPT_MAX = 2000
HASHTAG_MAX = 100  # the characters of one hashtag


def check_label(label: str) -> str:
    if label not in VARIANT_LABELS:
        raise NotFound("A post has variants A and B only.")
    return label


def clean_feedback(feedback) -> str:
    return clean_text(feedback, "feedback", "Feedback", VARIANT_FEEDBACK_MAX,
                      empty="Say what should change in this variant.")


def problems(label: str, value, limit: int) -> list[str]:
    """Return what is wrong with a variant the model wrote, as sentences for a repair request."""
    found = []
    if not value.headline.strip() or len(value.headline) > HEADLINE_MAX:
        found.append(f"variant {label}: the headline needs 1 to {HEADLINE_MAX} characters")
    if not value.body.strip():
        found.append(f"variant {label}: the body is empty")
    elif len(value.body) > limit:
        found.append(f"variant {label}: the body has {len(value.body)} characters; this channel allows {limit}")
    if not value.call_to_action.strip():
        found.append(f"variant {label}: the call to action is empty")
    elif len(value.call_to_action) > CALL_TO_ACTION_MAX:
        found.append(f"variant {label}: the call to action has {len(value.call_to_action)} characters; "
                     f"use at most {CALL_TO_ACTION_MAX}")
    if len(value.hashtags) > HASHTAGS_MAX:
        found.append(f"variant {label}: {len(value.hashtags)} hashtags; use at most {HASHTAGS_MAX}")
    long_tags = sum(len(tag.strip()) > HASHTAG_MAX for tag in value.hashtags)
    if long_tags:
        found.append(f"variant {label}: {long_tags} hashtag{'s' if long_tags > 1 else ''} longer than "
                     f"{HASHTAG_MAX} characters; shorten {'them' if long_tags > 1 else 'it'}")
    if not value.image_prompt.strip():
        found.append(f"variant {label}: the image prompt is empty")
    elif len(value.image_prompt) > IMAGE_PROMPT_MAX:
        found.append(f"variant {label}: the image prompt has {len(value.image_prompt)} characters; "
                     f"use at most {IMAGE_PROMPT_MAX}")
    return found


def hard_body_limit(channel: str) -> int:
    """The body's length past which a draft is unusable: the channel's prompt limit, or, where the channel's
    rules limit the length (X, say), twice that rule's limit: up to there, a draft that breaks the rule gets a
    repair call naming it, then is saved whole with a warning (`draft_warnings`)."""
    rules = channel_rules.rules_for(channel)
    ruled = rules and (rules.posted_max or rules.body_max)
    return 2 * ruled if ruled else body_limit(channel)


def advice(label: str, channel: str, value) -> list[str]:
    """The channel's rules a variant the model wrote breaks, for its one repair request."""
    return channel_rules.repair_problems(label, channel, value)


def draft_warnings(post: Post, content) -> list[dict] | None:
    """What a variant's words break, to save on it: its channel's rules, then the brand voice's words to avoid."""
    campaign = db.session.get(Campaign, post.campaign_id)
    found = channel_rules.check(post.channel, content) + voice.check(voice.of_campaign(campaign), content)
    return found or None


def _hashtags(values: list[str], limit: int = HASHTAGS_MAX) -> list[str]:
    tags = ["".join(tag.strip().lstrip("#").split()) for tag in values]
    return list(dict.fromkeys(tag for tag in tags if tag))[:limit]


def add_variant(post_id: int, label: str, content, *, run_id: int | None, provider: str, model: str,
                tokens_in: int, tokens_out: int, feedback: str = "", based_on: int | None = None,
                edited: bool = False, media_path: str | None = None) -> Variant:
    """Add the next version of a variant and make it current, with the warnings its words earn (the caller
    commits)."""
    number = next_number(Variant.number, Variant.post_id == post_id, Variant.label == label)
    # A statement of its own, so the old current version is unmarked before the new one is written.
    db.session.execute(update(Variant).where(Variant.post_id == post_id, Variant.label == label,
                                             Variant.is_current.is_(True)).values(is_current=False))
    post = db.session.get(Post, post_id)
    # The model's hashtags past its channel's number are dropped (its prompt asked for no more); a person's stay.
    tags = _hashtags(content.hashtags, HASHTAGS_MAX if edited else channel_rules.hashtags_max(post.channel,
                                                                                              HASHTAGS_MAX))
    words = SimpleNamespace(headline=content.headline.strip(), body=content.body.strip(),
                            call_to_action=content.call_to_action.strip(), hashtags=tags)
    variant = Variant(post_id=post_id, label=label, number=number, is_current=True, **vars(words),
                      image_prompt=content.image_prompt.strip(), feedback=feedback, based_on=based_on, run_id=run_id,
                      provider=provider, model=model, tokens_in=tokens_in, tokens_out=tokens_out, edited=edited,
                      media_path=media_path, warnings=draft_warnings(post, words))
    db.session.add(variant)
    db.session.flush()
    return variant


def make_media(post_id: int, label: str | None = None) -> None:
    """Give each current variant without an image its image; writing twice replaces, never adds.

    The caller commits the paths, together with the run's outcome.
    """
    query = select(Variant).where(Variant.post_id == post_id, Variant.is_current.is_(True),
                                  Variant.media_path.is_(None))
    if label:
        query = query.where(Variant.label == label)
    missing = db.session.scalars(query.order_by(Variant.label)).all()
    if not missing:
        return
    workspace_id = db.session.scalar(select(Campaign.workspace_id).join(Post, Post.campaign_id == Campaign.id)
                                     .where(Post.id == post_id))
    wanted = [(v.id, v.image_prompt, v.headline) for v in missing]
    db.session.remove()

    images = media.make_images([(prompt, headline) for _, prompt, headline in wanted])

    stored = {variant_id: media.store(workspace_id, f"variant-{variant_id}.png", data)
              for (variant_id, _, _), data in zip(wanted, images)}
    for variant_id, relative in stored.items():
        db.session.get(Variant, variant_id).media_path = relative


def check_revisable(workspace_id: int, campaign_id: int, post_id: int, label: str) -> Variant:
    """Return the current version of a variant that may be rewritten, or raise saying why not."""
    post = require_active(get_post(workspace_id, campaign_id, post_id))
    current = current_variant(post.id, check_label(label))
    if current is None:
        raise Conflict(f"Variant {label} has not been written yet; wait for the post to be ready.")
    return current


def _not_being_rewritten(campaign_id: int, post_id: int, label: str) -> None:
    run = runs.latest(campaign_id, "variant", variant_subject(post_id, label))
    if run is not None and not runs.reconcile(run).finished:
        raise Conflict(f"Variant {label} is being rewritten; wait for the new version, then change it.")


# The fields a person edits, with their labels; the image prompt and the image stay as they were.
EDITED_FIELDS = {"headline": "The headline", "body": "The body", "call_to_action": "The call to action"}
HASHTAGS_FIELD_MAX = HASHTAGS_MAX * (HASHTAG_MAX + 2)


def edit_limits(channel: str) -> dict[str, int]:
    """The most characters each hand-edited field of a variant on `channel` may hold."""
    return {"headline": HEADLINE_MAX, "body": body_limit(channel), "call_to_action": CALL_TO_ACTION_MAX,
            "hashtags": HASHTAGS_FIELD_MAX}


def split_hashtags(value) -> list[str]:
    """Read hashtags as a person types them: separated by spaces or commas, with or without '#'."""
    return [tag for tag in str(value).replace(",", " ").split() if tag.strip("#")]


def _edited_hashtags(value, limit: int) -> list[str]:
    """Hashtags as typed in a form (text, separated by spaces or commas) or sent as a list of text."""
    if isinstance(value, list) and all(isinstance(tag, str) for tag in value):
        tags = [tag for tag in value if tag.strip().strip("#")]
    else:
        tags = split_hashtags(clean_text(value if value is not None else "", "hashtags", "Hashtags", limit))
    if len(tags) > HASHTAGS_MAX:
        raise Invalid({"hashtags": f"Use at most {HASHTAGS_MAX} hashtags (this has {len(tags)})."})
    if any(len(tag.strip().lstrip("#")) > HASHTAG_MAX for tag in tags):
        raise Invalid({"hashtags": f"A hashtag has at most {HASHTAG_MAX} characters."})
    return tags


def edit_variant(workspace_id: int, campaign_id: int, post_id: int, label: str, fields: dict,
                 based_on=None) -> Variant:
    """Save a person's version of a variant's words as its next version, made current; the image stays.

    `based_on` is the version the person started from: when the variant has changed since, nothing is saved.
    Approving the post again is needed when it was approved."""
    current = check_revisable(workspace_id, campaign_id, post_id, label)
    post = current.post
    _not_being_rewritten(campaign_id, post.id, label)
    if based_on not in (None, "") and str(based_on) != str(current.number):
        raise Conflict(f"Variant {label} changed while you were editing it: v{current.number} is current now. "
                       "Open it again to edit the current version.")
    limits = edit_limits(post.channel)
    values, errors = {}, {}
    for name, text in EDITED_FIELDS.items():
        try:
            given = fields.get(name)
            values[name] = clean_text("" if given is None else given, name, text, limits[name],
                                      empty=f"{text} cannot be empty.")
        except Invalid as refused:
            errors.update(refused.fields)
    try:
        tags = _edited_hashtags(fields.get("hashtags", ""), limits["hashtags"])
    except Invalid as refused:
        errors.update(refused.fields)
    if errors:
        raise Invalid(errors, "Some fields need attention; nothing was saved.")
    refuse_nul({**values, "hashtags": tags})
    content = SimpleNamespace(**values, hashtags=tags, image_prompt=current.image_prompt)
    if (content.headline, content.body, content.call_to_action, _hashtags(tags)) == (
            current.headline, current.body, current.call_to_action, list(current.hashtags or [])):
        raise Invalid({}, f"Nothing was changed: variant {label} is still v{current.number}. Change a field, "
                          "or cancel.")

    def save():
        variant = add_variant(post.id, label, content, run_id=None, provider="", model="", tokens_in=0,
                              tokens_out=0, based_on=current.number, edited=True, media_path=current.media_path)
        take_approval(db.session.get(Post, post.id), f"Variant {label} was edited by hand as v{variant.number}")
        activity.record(workspace_id, "variant_edited", f"Edited variant {label} of “{post.title}” by hand "
                        f"(v{variant.number})", campaign_id=campaign_id, subject=variant,
                        link=activity.post_path(campaign_id, post.id))
        return variant

    variant = commit_retrying(save)
    log.info("saved hand-edited variant %s v%s of post %s", label, variant.number, post.id)
    return variant


def make_variant_current(workspace_id: int, campaign_id: int, post_id: int, label: str, number) -> Variant:
    """Make an older version of a variant current again; nothing is deleted. An approved post needs approving
    again."""
    current = check_revisable(workspace_id, campaign_id, post_id, label)
    post = current.post
    number = whole(number, 1)
    wanted = None if number is None else db.session.scalar(select(Variant).where(
        Variant.post_id == post.id, Variant.label == label, Variant.number == number))
    if wanted is None:
        raise NotFound(f"Variant {label} has no such version.")
    if wanted.is_current:
        return wanted
    _not_being_rewritten(campaign_id, post.id, label)

    def mark():
        db.session.execute(update(Variant).where(Variant.post_id == post.id, Variant.label == label,
                                                 Variant.is_current.is_(True)).values(is_current=False))
        db.session.execute(update(Variant).where(Variant.id == wanted.id).values(is_current=True))
        take_approval(db.session.get(Post, post.id), f"Variant {label} v{number} was made current again")
        activity.record(workspace_id, "variant_made_current", f"Made v{number} of variant {label} of “{post.title}” "
                        "current again", campaign_id=campaign_id, subject=wanted,
                        link=activity.post_path(campaign_id, post.id))
        return wanted

    commit_retrying(mark)
    db.session.refresh(wanted)
    return wanted


def regenerate_variant(workspace_id: int, campaign_id: int, post_id: int, label: str, feedback, alert_id=None) -> Run:
    """Enqueue a new version of one variant, written with the marketer's feedback; the old one is kept.

    Started from an alert (`alert_id`, one of this campaign's), the alert records the run."""
    alert = results.get_alert(workspace_id, campaign_id, alert_id) if alert_id not in (None, "") else None
    current = check_revisable(workspace_id, campaign_id, post_id, label)
    post = current.post
    feedback = clean_feedback(feedback)
    run = runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="variant",
                      subject=variant_subject(post.id, label),
                      params={"post_id": post.id, "label": label, "feedback": feedback, "based_on": current.number,
                              **({"alert_id": alert.id} if alert else {})},
                      total=3, job=jobnames.REVISE_VARIANT, llm_calls=2,
                      busy_message=f"Variant {label} is already being rewritten; wait for it to finish.")
    if alert is not None:
        results.mark_alert_acted(alert.id, run.id)
    return run


def execute_variant(run_id: int) -> None:
    """Write the new version of a variant and its image (called by the job; safe to call twice)."""
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return
    post_id, label = run.params["post_id"], run.params["label"]
    if runs.start(run_id, f"Rewriting variant {label}…") is None:
        return
    if db.session.scalar(select(Variant.id).where(Variant.run_id == run_id)) is None:
        post = db.session.get(Post, post_id)
        previous = db.session.scalar(select(Variant).where(Variant.post_id == post_id, Variant.label == label,
                                                           Variant.number == run.params["based_on"]))
        context = post_prompt_context(post)
        limit, channel = hard_body_limit(post.channel), post.channel
        prompt = llm.render("variant", **context, label=label, feedback=run.params["feedback"],
                            evidence=results.prompt_evidence(run.params.get("alert_id")), previous={
            "number": previous.number, "headline": previous.headline, "body": previous.body,
            "call_to_action": previous.call_to_action, "hashtags": previous.hashtags,
            "image_prompt": previous.image_prompt})
        db.session.remove()

        result = llm.generate(prompt, schemas.VariantContent, check=lambda value: problems(label, value, limit),
                              advise=lambda value: advice(label, channel, value))

        def add():
            run = db.session.get(Run, run_id)
            variant = add_variant(post_id, label, result.value, run_id=run_id, feedback=run.params["feedback"],
                                  based_on=run.params["based_on"], provider=result.provider, model=result.model,
                                  tokens_in=result.tokens_in, tokens_out=result.tokens_out)
            run.done, run.message = 1, "Making the image…"
            runs.record_usage(run, result)
            take_approval(db.session.get(Post, post_id), f"Variant {label} was rewritten as v{variant.number}")
            activity.record(run.workspace_id, "variant_rewritten", f"Rewrote variant {label} of “{db.session.get(Post, post_id).title}” "
                            f"with feedback: {activity.quote(run.params['feedback'])} (v{variant.number})",
                            campaign_id=run.campaign_id, subject=variant,
                            link=activity.post_path(run.campaign_id, post_id))
            return variant

        variant = commit_retrying(add)
        log.info("run %s: saved variant %s v%s of post %s", run_id, label, variant.number, post_id)
    make_media(post_id, label)
    run = db.session.get(Run, run_id)
    number = db.session.scalar(select(Variant.number).where(Variant.run_id == run_id))
    runs.succeed(run, f"Saved variant {label} v{number}")
    db.session.commit()
