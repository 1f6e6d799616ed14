"""Hostile text shows as text on every page: Markdown with raw HTML, runaway brackets, deep quotes and lists.

The timing lives in bench/hostile.py; here its data builder runs small, and the pages must answer with the
text escaped.
"""
import pytest

from bench.hostile import KINDS, NORMAL, build
from gtm.web.filters import render_markdown

SCRIPT = '<script>alert("x")</script>'


# --- Rendering -------------------------------------------------------------------------------------------


def test_raw_html_in_markdown_shows_as_text():
    html = str(render_markdown(f'{SCRIPT} and <b onmouseover="alert(1)">bold</b>\n\n<div>\n<img src=x>\n</div>'))
    assert "<script" not in html and "<b " not in html and "<img" not in html and "<div" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;/script&gt;" in html
    assert "&lt;b onmouseover=" in html and "&lt;img src=x&gt;" in html


def test_markdown_keeps_what_normal_content_uses():
    html = str(render_markdown(
        "### Plan\n\nSome **bold**, _emphasis_ and [a link](https://example.com).\n\n- one\n- two\n\n1. first\n\n"
        "> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[bad](javascript:alert(1))"))
    for part in ("<h3>Plan</h3>", "<strong>bold</strong>", "<em>emphasis</em>", "<li>one</li>", "<ol>",
                 "<blockquote>", "<th>a</th>", "<td>2</td>"):
        assert part in html, part
    assert '<a href="https://example.com" rel="noopener nofollow">a link</a>' in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "")


def test_fifty_thousand_brackets_render_as_escaped_text():
    html = str(render_markdown("[" * 50000))
    assert html.count("[") == 50000 and "<a" not in html
    html = str(render_markdown("<" * 50000))
    assert html.count("&lt;") == 50000 and "<<" not in html


def test_deep_quotes_and_lists_are_cut_short():
    html = str(render_markdown("> " * 5000 + "x"))
    assert 0 < html.count("<blockquote>") <= 20
    html = str(render_markdown("- " * 5000 + "x"))
    assert 0 < html.count("<ul>") <= 20


@pytest.mark.parametrize("kind", ["raw HTML", "[ run", "< run", "table wide", "> > > deep"])
def test_pages_show_hostile_text_escaped(app, user, auth_client, kind):
    built = build(user.workspace_id, user.id, KINDS[kind], cap=60)
    for page, path in built.paths().items():
        response = auth_client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, (page, response.status_code)
        assert "<script>alert" not in text and "<img src=x" not in text, page
        if kind == "raw HTML":
            assert "&lt;script&gt;alert(" in text, page
        if kind == "[ run":
            assert "[[[[[[[[" in text, page


def test_the_normal_content_shows_formatted(app, user, auth_client):
    built = build(user.workspace_id, user.id, NORMAL, cap=400)
    post = auth_client.get(built.paths()["post"]).get_data(as_text=True)
    assert "<strong>every order</strong>" in post and 'rel="noopener nofollow"' in post
