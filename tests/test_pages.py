"""Every page a person can reach is well-formed: htmx requests name their target, ids are unique,
form controls have labels, and responses vary on HX-Request."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

SKIP_PREFIXES = ("/static/", "/api/", "/logout")


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.htmx: list[dict] = []
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.open_labels = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if any(name in attrs for name in ("hx-get", "hx-post", "hx-put", "hx-delete")):
            self.htmx.append({"tag": tag, **attrs})
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.controls.append({"tag": tag, "inside_label": self.open_labels > 0, **attrs})

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels = max(0, self.open_labels - 1)


def check_page(url: str, response) -> PageParser:
    assert response.status_code == 200, (url, response.status_code)
    assert "HX-Request" in response.headers.get("Vary", ""), f"{url} must vary on HX-Request"
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, f"{url}: repeated ids {duplicates}"
    for element in parser.htmx:
        assert element.get("hx-target"), f"{url}: {element} has no hx-target"
        target = element["hx-target"]
        if target.startswith("#"):
            assert target[1:] in parser.ids, f"{url}: hx-target {target} is not on the page"
    for control in parser.controls:
        labelled = control.get("id") in parser.label_for or control.get("aria-label") or control["inside_label"]
        assert labelled, f"{url}: {control} has no label"
    return parser


def crawl(client, start="/", limit=80) -> list[str]:
    """Visit every same-site page reachable from `start` by links, checking each one."""
    seen, todo = [], [start]
    while todo and len(seen) < limit:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.append(url)
        parser = check_page(url, client.get(url))
        for href in parser.links:
            parts = urlsplit(urljoin(url, href))
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc or not path.startswith("/") or path.startswith(SKIP_PREFIXES) or path in seen:
                continue
            todo.append(path)
    return seen


def test_every_reachable_page_is_well_formed(auth_client, campaign, work):
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    work()
    auth_client.post("/settings/tokens", data={"name": "pages"})
    visited = crawl(auth_client)
    assert f"/campaigns/{campaign.id}" in visited and "/settings" in visited and "/campaigns/new" in visited


@pytest.mark.parametrize("path", ["/login", "/signup"])
def test_public_pages_are_well_formed(client, path):
    check_page(path, client.get(path))


def test_forms_with_errors_are_well_formed(auth_client):
    response = auth_client.post("/campaigns/new", data={"name": ""})
    assert response.status_code == 422
    response.status_code = 200  # check_page expects a page; the 422 is asserted above
    check_page("/campaigns/new (errors)", response)


def test_fragments_vary_and_full_pages_differ(htmx, campaign):
    fragment = htmx.get(f"/campaigns/{campaign.id}/steps/competitors")
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.get_data(as_text=True)
    htmx.environ_base.pop("HTTP_HX_REQUEST")
    full = htmx.get(f"/campaigns/{campaign.id}/steps/competitors")
    assert "<html" in full.get_data(as_text=True)
