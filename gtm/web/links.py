"""Whole addresses for links that leave the browser (invitations and reset links, copied or emailed): under
GTM_BASE_URL when it is set, else under the address this request came to."""
from flask import current_app, url_for


def external(endpoint: str, **values) -> str:
    base = current_app.config.get("GTM_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
