"""The JSON API's shapes: every object /api answers is built here, from what the services return."""
from ..models import Campaign, ChatMessage, Run, StepVersion
from ..services import chat, paging, steps, strategy


def campaign_json(campaign: Campaign, steps_status: dict | None = None) -> dict:
    """Return a campaign; a list passes each one's `steps_status`, read for all of them at once."""
    return {
        "id": str(campaign.id),
        "name": campaign.name,
        "product": campaign.product,
        "audience": campaign.audience,
        "goals": campaign.goals,
        "competitors": campaign.competitors,
        "channels": campaign.channels,
        "budget": float(campaign.budget) if campaign.budget is not None else None,
        "currency": campaign.currency,
        "brief": campaign.brief,
        "launch_date": campaign.launch_date.isoformat() if campaign.launch_date else None,
        "current_version": campaign.current_version,
        "steps": steps_status if steps_status is not None else steps.status_summary(campaign.id),
        "created_at": campaign.created_at.isoformat(),
    }


def cursor_json(page: paging.Page) -> str | None:
    """A page's `next`: the cursor to send as `before` for the items after it, null at the end."""
    return str(page.next) if page.next is not None else None


def campaigns_json(found: paging.Page[Campaign]) -> dict:
    """Return a page of campaigns, newest first."""
    status = steps.status_summaries([campaign.id for campaign in found])
    return {"campaigns": [campaign_json(campaign, status[campaign.id]) for campaign in found],
            "next": cursor_json(found)}


def run_json(run: Run) -> dict:
    return {
        "id": str(run.id),
        "kind": run.kind,
        "subject": run.subject,
        "status": run.status,
        "progress": {"done": run.done, "total": run.total},
        "message": run.message,
        "error": run.error or None,
        "tokens": {"in": run.tokens_in, "out": run.tokens_out},
        "provider": run.provider or None,
        "model": run.model or None,
        "parent_id": str(run.parent_id) if run.parent_id else None,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def step_version_json(version: StepVersion) -> dict:
    return {
        "number": version.number,
        "feedback": version.feedback or None,
        "based_on": version.based_on,
        "edited": version.edited,
        "current": version.is_current,
        "provider": version.provider or None,
        "model": version.model or None,
        "tokens": {"in": version.tokens_in, "out": version.tokens_out},
        "context_versions": version.context_versions or {},
        "inputs": version.inputs or {},
        "content": version.content,
        "created_at": version.created_at.isoformat(),
    }


def step_json(card: steps.StepCard, versions: paging.Page[StepVersion]) -> dict:
    return {
        "kind": card.kind,
        "title": card.spec.title,
        "current_version": card.current.number if card.current else None,
        "stale": bool(card.stale_because),
        "stale_because": card.stale_because,
        "available": card.spec.enabled,
        "blocked": card.blocked,
        "run": run_json(card.run) if card.run else None,
        "versions": [step_version_json(v) for v in versions],
        "next": cursor_json(versions),
    }


def post_json(post) -> dict:
    return {
        "id": str(post.id), "key": post.key, "title": post.title, "channel": post.channel, "brief": post.brief,
        "day": post.day, "status": post.status, "approved": post.approved, "version": post.version,
    }


def nodes_json(board: strategy.Board | strategy.VersionView) -> dict:
    """Return the board's (or a version's) posts by phase and their edges."""
    return {
        "version": board.version if isinstance(board, strategy.Board) else board.number,
        "phases": [{
            "number": column.phase.number,
            "name": column.phase.name,
            "goal": column.phase.goal,
            "posts": [post_json(post) for post in column.posts],
        } for column in board.columns],
        "edges": [{"from": str(a), "to": str(b)} for a, b in board.edges],
    }


def version_nodes_json(view: strategy.VersionView) -> dict:
    """Return version n as it was, in the shape of /nodes."""
    return {**nodes_json(view), "is_current": view.is_current}


def compare_json(found: strategy.Comparison) -> dict:
    """Return what changed from version a to version b; ids as strings."""
    def ids(posts):
        return [str(post.id) for post in posts]

    def edges(pairs):
        return [{"from": str(a), "to": str(b)} for a, b in pairs]
    return {
        "a": found.a.number, "b": found.b.number,
        "posts": {"added": ids(found.added), "removed": ids(found.removed), "kept": ids(found.kept),
                  "changed": [{"from": str(c.old.id), "to": str(c.new.id)} for c in found.changed]},
        "edges": {"added": edges(found.edges_added), "removed": edges(found.edges_removed)},
        "phases": {"added": found.phases_added, "removed": found.phases_removed, "changed": found.phases_changed},
        "summary": found.summary,
    }


def versions_json(found: strategy.VersionList) -> dict:
    """Return a page of the strategy versions, newest first."""
    current_version, post_counts = found.current_version, found.post_counts
    return {
        "current_version": current_version,
        "versions": [{
            "number": v.number, "origin": v.origin, "direction": v.direction or None, "from_phase": v.from_phase,
            "based_on": v.based_on, "posts": post_counts.get(v.number, 0), "is_current": v.number == current_version,
            "run_id": str(v.run_id) if v.run_id else None, "created_at": v.created_at.isoformat(),
        } for v in found.versions],
        "next": cursor_json(found.versions),
    }


def preview_json(found: strategy.Preview) -> dict:
    """Return what a regeneration would keep, archive and cost."""
    return {
        "phase_num": found.split.phase_num, "version": found.version,
        "kept": [post_json(post) for post in found.split.kept],
        "archived": [post_json(post) for post in found.split.archived],
        "approved_archived": len(found.approved_archived), "calls_estimate": found.calls_estimate,
        "images_estimate": found.images_estimate, "busy": found.busy,
    }


def chat_posted_json(message: ChatMessage) -> dict:
    return {"message": message.text, "reply": message.reply, "run_id": str(message.run_id) if message.run_id else None}


def chat_json(entries: paging.Page[chat.Entry]) -> dict:
    """Return a page of the chat's messages, oldest first."""
    return {"messages": [{
        "author": e.message.author, "text": e.message.text, "reply": e.message.reply,
        "created_at": e.message.created_at.isoformat(), "run_id": str(e.message.run_id) if e.message.run_id else None,
    } for e in entries], "next": cursor_json(entries)}
