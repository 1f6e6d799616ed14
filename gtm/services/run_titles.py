"""What a run does, said to a person: "Writing the post “Meet Bloom” (Phase 1, post 2 · LinkedIn)", never its
kind and subject as the queue knows them (post · post:34)."""
from ..extensions import db
from ..models import Post, Run
from .labels import post_label
from .steps.specs import SPECS


def run_title(run: Run) -> str:
    params = run.params or {}
    if run.kind == "step":
        spec = SPECS.get(run.subject)
        return f"Generating the {spec.title.lower()}" if spec else "Generating a step"
    if run.kind == "strategy":
        return "Planning the strategy"
    if run.kind == "regenerate":
        phase = params.get("phase_num")
        return f"Regenerating the strategy from phase {phase}" if phase else "Regenerating the strategy"
    if run.kind == "follow_up":
        number = params.get("version")
        return f"Adding a follow-up post as version {number}" if number else "Adding a follow-up post"
    if run.kind == "answer":
        return "Answering a question in the chat"
    if run.kind == "restore":
        number = params.get("restores")
        return f"Restoring version {number}" if number else "Restoring a version"
    if run.kind in ("post", "variant"):
        post = db.session.get(Post, params.get("post_id")) if isinstance(params.get("post_id"), int) else None
        named = f"“{post.title}” ({post_label(post.phase, post.key, post.channel)})" if post else ""
        if run.kind == "variant":
            return f"Rewriting variant {params.get('label', '')} of {named or 'a post'}".replace("  ", " ")
        return f"Writing the post {named}" if named else "Writing a post"
    return "Background work"
