"""The pinned htmx: the local copy the set-up command fetches, or the same file from the CDN with its SRI hash.

scripts/fetch_htmx.sh reads the version and the hash from this file, so they are written once.
"""
from pathlib import Path

from flask import current_app, url_for
from markupsafe import Markup

HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_CDN = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
HTMX_LOCAL = f"vendor/htmx-{HTMX_VERSION}.min.js"


def htmx_from_cdn() -> bool:
    """True when pages load htmx from the CDN: no local copy, and GTM_HTMX_CDN allows it."""
    return current_app.config["GTM_HTMX_CDN"] and not (Path(current_app.static_folder) / HTMX_LOCAL).exists()


def htmx_script() -> Markup:
    """Return the script tag for htmx: the local copy when present, else the pinned CDN file with SRI."""
    if not htmx_from_cdn():
        return Markup(f'<script src="{url_for("static", filename=HTMX_LOCAL)}"></script>')
    return Markup(f'<script src="{HTMX_CDN}" integrity="{HTMX_SRI}" crossorigin="anonymous"></script>')


def script_sources() -> tuple[str, ...]:
    """Scripts the CSP allows beside our own files: the one pinned htmx file, when it comes from the CDN."""
    return (HTMX_CDN,) if htmx_from_cdn() else ()
