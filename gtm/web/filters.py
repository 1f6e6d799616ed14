"""Template filters: sanitised Markdown, money, times, a post's label and placeholder marks."""
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..llm.schemas import is_placeholder, without_placeholder
from ..services import labels

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "blockquote", "code", "a", "table",
                "thead", "tbody", "tr", "th", "td"}


# CommonMark with GFM tables. markdown-it parses in time linear in the text, where Python-Markdown took
# seconds on a few thousand "[" (bench/hostile.py times the pages that show such text). Raw HTML stays
# text (escaped), and maxNesting caps how deep quotes and lists go, so the sanitizer never meets a deep tree.
MARKDOWN = MarkdownIt("commonmark", {"html": False, "maxNesting": 20}).enable("table")
# A page shows the same bodies on every visit, and every gunicorn thread of a worker shares this cache.
RENDERED_MAX = 2048


@lru_cache(maxsize=RENDERED_MAX)
def render_markdown(text: str | None) -> Markup:
    """Render Markdown written by people or the model, through the sanitizer."""
    html = MARKDOWN.render(text or "")
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, link_rel="noopener nofollow"))


def money(value, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    text = f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = int((datetime.now(timezone.utc) - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return moment.strftime("%d %b %Y")


def post_label(post) -> str:
    """A post as a person names it: "Phase 2, post 3 · Instagram" (see services/labels.py), never its key."""
    return labels.post_label(post.phase, post.key, post.channel)


def register_filters(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(money, "money")
    app.add_template_filter(ago, "ago")
    app.add_template_filter(post_label, "post_label")
    app.add_template_test(is_placeholder, "placeholder")
    app.add_template_filter(without_placeholder, "without_placeholder")
