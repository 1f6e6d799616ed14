"""The pinned htmx: the local copy the set-up command fetches, or the same file from the CDN with its SRI hash;
and the icon, for browsers that ask /favicon.ico before reading the page's link.

scripts/fetch_htmx.sh reads the version and the hash from this file, so they are written once.
"""
from pathlib import Path

from flask import current_app, redirect, url_for
from markupsafe import Markup

HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_CDN = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
HTMX_LOCAL = f"vendor/htmx-{HTMX_VERSION}.min.js"
FAVICON = "favicon.svg"


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


def favicon():
    """Send a browser asking for /favicon.ico to the icon the pages link to."""
    # Not permanent: browsers keep a 301 forever, and the icon's file may change.
    return redirect(url_for("static", filename=FAVICON), 302)
