"""The answer to a submitted form, decided in one place, so a form route reads: parse, call one service, answer.

    return submit(lambda: strategy.plan(workspace_id(), campaign_id, direction=values["direction"]),
                  done=to("strategy.board", campaign_id=campaign_id),
                  again=lambda status, **outcome: board_page(campaign_id, status, values=values, **outcome))

- The service refuses the input (Invalid): `again(422, errors={field: message}, problem=None)` shows the form
  again with each message beside its field, and what was typed kept.
- The service refuses the change in this state (Conflict: another change is under way, the thing moved on):
  `again(409, errors={}, problem=message)` shows the form again with the message above it.
- With `summary=True`, a refused input also gets the service's one sentence about it as `problem`, shown above
  the fields (a query that names what it wants, like the versions to compare).
- Other refusals a form shows in place (a file too large: 413) are named in `also`: `again(exc.status, errors={},
  problem=message)`.
- It worked: `done(result)` answers, usually with `to(...)`, a redirect that htmx follows as HX-Redirect, or
  with `swap(...)` for a form inside a section of a page: htmx swaps the section, a browser is redirected.

`again` renders with htmx.page(template, fragment), which answers htmx with the form's fragment and a browser
without JavaScript with the whole page, so neither choice is written in a route. Other errors (NotFound,
Forbidden) go on to the app's error handlers.
"""
from collections.abc import Callable
from typing import Any

from ..services.errors import Conflict, Invalid, ServiceError
from .htmx import go, is_htmx


def submit(call: Callable[[], Any], *, done: Callable[[Any], Any], again: Callable[..., Any],
           also: tuple[type[ServiceError], ...] = (), summary: bool = False):
    """Call the service; answer `done(result)`, or `again(status, errors=..., problem=...)` when it refuses."""
    try:
        result = call()
    except Invalid as exc:
        return again(422, errors=exc.fields, problem=exc.message if summary else None)
    except (Conflict, *also) as exc:
        return again(exc.status, errors={}, problem=exc.message)
    return done(result)


def to(endpoint: str, **values) -> Callable[[Any], Any]:
    """A `done` that redirects to `endpoint` whatever the service returned (HX-Redirect for htmx, 303 else)."""
    return lambda _result: go(endpoint, **values)


def swap(fragment: Callable[[], Any], endpoint: str, *, event: str | None = None, **values) -> Callable[..., Any]:
    """A `done` for a form inside a section of a page: htmx gets `fragment()` to swap in place, with `event`
    (HX-Trigger) telling the page's other sections what changed; a browser is redirected to `endpoint`.

    Called with no result, it answers a button that changes something without a form to refuse."""
    def done(_result=None):
        if not is_htmx():
            return go(endpoint, **values)
        response = fragment()
        if event:
            response.headers["HX-Trigger"] = event
        return response
    return done
