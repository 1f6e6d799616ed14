"""Checking a page as a person's browser and htmx would meet it, and walking every page reachable by links."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

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
        # See the self_refreshing macro: what a slow server answers late must not replace newer state.
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
