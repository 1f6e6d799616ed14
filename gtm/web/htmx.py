"""How a route answers: the whole page or only its fragment, the answer to a poll, a redirect, a download.

Every answer varies on HX-Request, since the same URL gives a page to a browser and a fragment to htmx.
"""
import hashlib
import re

from flask import g, make_response, redirect, render_template, request, url_for

from .context import workspace_id


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


# Polls carry the state of what their fragment shows (see self_refreshing in components/macros.html). A route
# that can tell its state cheaply sets g.poll_state first (the board does); otherwise the state is a digest of
# the rendered text, written into the polling URLs once the text is known.
STATE_SLOT = "gtm-state-slot"
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


def poll_url(url: str) -> str:
    """A polling fragment's URL, carrying the state it shows."""
    return f"{url}{'&' if '?' in url else '?'}state={g.get('poll_state') or STATE_SLOT}"


def page(template: str, fragment: str | None = None, status: int = 200, **context):
    """Render the full page, or only `fragment` for an htmx request; always vary on HX-Request.

    An htmx poll whose fragment is unchanged, rendered the same as the state it sent, gets 204: nothing to swap."""
    name = fragment if fragment and is_htmx() else template
    text = render_template(name, **context)
    if STATE_SLOT in text:
        # Forms' CSRF tokens are signed anew on every render; they are not part of what the fragment shows.
        shown = CSRF_VALUE.sub("", text)
        state = hashlib.blake2s(shown.encode(), digest_size=8).hexdigest()
        if status == 200 and request.method == "GET" and is_htmx() and request.args.get("state") == state:
            return no_change()
        text = text.replace(STATE_SLOT, state)
    response = make_response(text, status)
    response.headers["Vary"] = "HX-Request"
    return response


def unchanged(state_of, *args) -> bool:
    """True when an htmx poll sent the state it shows (`?state=`) and `state_of(workspace, *args)` still gives it."""
    shown = request.args.get("state")
    return bool(shown) and is_htmx() and state_of(workspace_id(), *args) == shown


def no_change():
    """Answer a poll whose fragment is up to date: 204, which htmx swaps nothing for."""
    response = make_response("", 204)
    response.headers["Vary"] = "HX-Request"
    return response


def go(endpoint: str, **values):
    """Redirect after a post: HX-Redirect for htmx, 303 otherwise."""
    target = url_for(endpoint, **values)
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


def page_only(endpoint: str, **values):
    """Send a browser that asked for a fragment's URL without htmx to the page that holds it; None for htmx."""
    return None if is_htmx() else redirect(url_for(endpoint, **values))


def download(file):
    """Answer an export as a file to save, under its own name."""
    response = make_response(file.data)
    response.headers["Content-Type"] = file.content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
