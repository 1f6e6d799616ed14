"""The answer to a submitted form, decided in one place, so a form route reads: parse, call one service, answer.

    return submit(lambda: strategy.plan(workspace_id(), campaign_id, direction=values["direction"]),
                  done=to("strategy.board", campaign_id=campaign_id),
                  again=lambda status, **outcome: board_page(campaign_id, status, values=values, **outcome))

- The service refuses the input (Invalid): `again(422, errors={field: message}, problem=None)` shows the form
  again with each message beside its field, and what was typed kept.
- The service refuses the change in this state (Conflict: another change is under way, the thing moved on):
  `again(409, errors={}, problem=message)` shows the form again with the message above it.
- It worked: `done(result)` answers, usually with `to(...)`, a redirect that htmx follows as HX-Redirect.

`again` renders with htmx.page(template, fragment), which answers htmx with the form's fragment and a browser
without JavaScript with the whole page, so neither choice is written in a route. Other errors (NotFound,
Forbidden) go on to the app's error handlers.
"""
from collections.abc import Callable
from typing import Any

from ..services.errors import Conflict, Invalid
from .htmx import go


def submit(call: Callable[[], Any], *, done: Callable[[Any], Any], again: Callable[..., Any]):
    """Call the service; answer `done(result)`, or `again(status, errors=..., problem=...)` when it refuses."""
    try:
        result = call()
    except Invalid as exc:
        return again(422, errors=exc.fields, problem=None)
    except Conflict as exc:
        return again(409, errors={}, problem=exc.message)
    return done(result)


def to(endpoint: str, **values) -> Callable[[Any], Any]:
    """A `done` that redirects to `endpoint` whatever the service returned (HX-Redirect for htmx, 303 else)."""
    return lambda _result: go(endpoint, **values)
