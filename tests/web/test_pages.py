"""Every page a person can reach is well-formed: htmx requests name their target, ids are unique,
form controls have labels, responses vary on HX-Request, and the requests of a fragment that
replaces itself keep in step with it."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from gtm.models import Post, Run

SKIP_PREFIXES = ("/static/", "/api/", "/logout")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.htmx: list[dict] = []
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.open: list[tuple[str, str | None]] = []  # open elements, each with its id if it replaces itself

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        # A link with `download` is a file (an export), not a page to check.
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        if any(name in attrs for name in ("hx-get", "hx-post", "hx-put", "hx-delete")):
            inside = next((fragment for _, fragment in reversed(self.open) if fragment), None)
            self.htmx.append({"tag": tag, "_inside": inside, **attrs})
        if tag not in VOID:
            refreshes = attrs.get("hx-trigger") and attrs.get("hx-target") == "this"
            self.open.append((tag, attrs.get("id") if refreshes else None))
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.controls.append({"tag": tag, "inside_label": self.open_labels > 0, **attrs})

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels = max(0, self.open_labels - 1)
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                break


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
        # See self_refreshing in _macros.html: what a slow server answers late must not replace newer state.
        if element.get("hx-trigger") and target == "this":
            assert element.get("hx-sync") == "this:abort", f"{url}: {element} replaces itself out of step"
        if element["_inside"]:
            assert element.get("hx-sync") == f"#{element['_inside']}:drop", \
                f"{url}: {element} is not in step with #{element['_inside']}, which replaces itself"
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


def test_pages_with_work_in_progress_are_well_formed(auth_client, campaign, work):
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    auth_client.post(f"/campaigns/{campaign.id}/strategy/plan", data={})
    work()
    post = Post.query.filter_by(is_active=True).first()
    # Nothing works the queue from here on, so these pages show their polling fragments.
    auth_client.post(f"/campaigns/{campaign.id}/posts/{post.id}/variants/A/regenerate", data={"feedback": "Shorter"})
    auth_client.post(f"/campaigns/{campaign.id}/steps/customers/generate", data={})
    urls = [f"/campaigns/{campaign.id}/posts/{post.id}", f"/campaigns/{campaign.id}"]
    auth_client.post(f"/campaigns/{campaign.id}/strategy/plan", data={})
    urls += [f"/campaigns/{campaign.id}/strategy", f"/campaigns/{campaign.id}/strategy/summary"]
    urls += [f"/runs/{run.id}" for run in Run.query.filter(Run.finished_at.is_(None))]
    assert len(urls) == 7
    for url in urls:
        # The summary exists only as a fragment; the other pages include their fragments.
        response = auth_client.get(url, headers={"HX-Request": "true"} if url.endswith("/summary") else {})
        assert 'hx-trigger="every 1s"' in response.get_data(as_text=True), url
        check_page(url, response)


def test_fragments_vary_and_full_pages_differ(htmx, campaign):
    fragment = htmx.get(f"/campaigns/{campaign.id}/steps/competitors")
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.get_data(as_text=True)
    htmx.environ_base.pop("HTTP_HX_REQUEST")
    full = htmx.get(f"/campaigns/{campaign.id}/steps/competitors")
    assert "<html" in full.get_data(as_text=True)
