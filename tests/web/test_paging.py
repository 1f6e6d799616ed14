"""Every list that grows with use is paged, on its page and in the API: the newest first, a `next` cursor that
walks to the end without repeats or gaps, and a bad cursor or limit refused (422, naming it) with nothing
changed. A page's SQL does not grow with the list: as many statements for 3 items as for 30."""
import html
import re

import pytest

from gtm.extensions import db
from gtm.models import Alert, Campaign, ChatMessage, StepVersion, StrategyVersion
from gtm.services import campaigns, chat, paging, steps
from gtm.services.campaigns import CAMPAIGNS_SHOWN
from gtm.services.chat import MESSAGES_SHOWN
from gtm.services.results import VERSIONS_SHOWN as RESULT_VERSIONS_SHOWN
from gtm.services.results.triggers import PAST_ALERTS_SHOWN
from gtm.services.steps.versions import VERSIONS_SHOWN as STEP_VERSIONS_SHOWN
from gtm.services.strategy.history import VERSIONS_SHOWN

from tests.kit import history
from tests.kit.campaigns import CAMPAIGN
from tests.kit.pages import check_page
from tests.kit.statements import statements_of

MORE = paging.LIMIT_DEFAULT + 5  # past the API's default page
KIND = "competitors"


# --- Lists with a history ------------------------------------------------------------------------------

def _campaigns(user, count) -> list[int]:
    """The workspace's campaigns after `count` more, newest first."""
    for number in range(count):
        campaigns.create_campaign(user.workspace_id, {**CAMPAIGN, "name": f"Campaign {number}"})
    return [c.id for c in Campaign.query.filter_by(workspace_id=user.workspace_id).order_by(Campaign.id.desc())]


def _messages(user, campaign, count) -> list[str]:
    """`count` messages, each its own text; their texts, newest first."""
    for number in range(count):
        chat.post_message(user.workspace_id, campaign.id, user.id, user.email, f"Message number {number}")
    return [m.text for m in ChatMessage.query.filter_by(campaign_id=campaign.id).order_by(ChatMessage.id.desc())]


def _versions(user, count) -> tuple[Campaign, list[int]]:
    planned = history.planned(user.workspace_id)
    history.grow_versions(user.workspace_id, planned, count, author_id=user.id)
    return planned, list(range(count, 0, -1))


def _step_versions(user, campaign, api, work, count) -> list[int]:
    """`count` versions of a step: one generated (offline), then hand edits of it."""
    assert api.post(f"/api/campaigns/{campaign.id}/steps/{KIND}/generate")[0] == 202
    work()
    content = StepVersion.query.filter_by(campaign_id=campaign.id, kind=KIND).one().content
    for _ in range(count - 1):
        steps.save_edit(user.workspace_id, campaign.id, KIND, content)
    return list(range(count, 0, -1))


def _alerts(user, count) -> tuple[Campaign, list[int]]:
    planned = history.planned(user.workspace_id)
    history.past_alerts(user.workspace_id, planned, count)
    return planned, [a.id for a in Alert.query.filter_by(campaign_id=planned.id).order_by(Alert.id.desc())]


# --- The API -------------------------------------------------------------------------------------------

def _walk(api, path: str, key: str, ident, limit: int | None, oldest_first: bool) -> tuple[list, list[int]]:
    """Follow `next` from the newest page to the end: every item's identity newest first, and each page's size."""
    seen, sizes, cursor = [], [], None
    while True:
        query = "&".join(part for part in (f"limit={limit}" if limit else "", f"before={cursor}" if cursor else "")
                         if part)
        status, body = api.get(f"{path}?{query}" if query else path)
        assert status == 200, body
        items = [ident(item) for item in body[key]]
        seen += items[::-1] if oldest_first else items
        sizes.append(len(items))
        cursor = body["next"]
        assert cursor is None or isinstance(cursor, str)
        if cursor is None:
            return seen, sizes
        assert len(sizes) < 100, "the walk does not end"


# (path, the answer's list, an item's identity, whether a page lists its oldest first, the table that must not change)
API_LISTS = {
    "campaigns": ("/api/campaigns", "campaigns", lambda c: int(c["id"]), False, Campaign),
    "chat": ("/api/campaigns/{id}/chat", "messages", lambda m: m["text"], True, ChatMessage),
    "strategy versions": ("/api/campaigns/{id}/versions", "versions", lambda v: v["number"], False, StrategyVersion),
    "step versions": (f"/api/campaigns/{{id}}/steps/{KIND}", "versions", lambda v: v["number"], True, StepVersion),
    "alerts": ("/api/campaigns/{id}/alerts", "alerts", lambda a: int(a["id"]), False, Alert),
    "metrics by version": ("/api/campaigns/{id}/metrics", "versions", lambda v: v["number"], False, StrategyVersion),
}


def _api_list(name, user, campaign, api, work, count) -> tuple[str, list]:
    """Give the list `count` items (more for the campaigns, whose workspace has one already); return its path and
    its items newest first."""
    path = API_LISTS[name][0]
    if name == "campaigns":
        return path, _campaigns(user, count - 1)
    if name == "chat":
        return path.format(id=campaign.id), _messages(user, campaign, count)
    if name == "step versions":
        return path.format(id=campaign.id), _step_versions(user, campaign, api, work, count)
    if name == "alerts":
        planned, expected = _alerts(user, count)
        return path.format(id=planned.id), expected
    planned, expected = _versions(user, count)
    return path.format(id=planned.id), expected


@pytest.mark.parametrize("name", API_LISTS)
def test_the_api_pages_the_list_and_next_walks_it_to_the_end(name, user, campaign, api, work):
    path, expected = _api_list(name, user, campaign, api, work, MORE)
    _, key, ident, oldest_first, _ = API_LISTS[name]
    # The default page: the newest LIMIT_DEFAULT, in the list's order.
    status, body = api.get(path)
    assert status == 200 and body["next"] is not None
    newest = [ident(item) for item in body[key]]
    assert (newest[::-1] if oldest_first else newest) == expected[:paging.LIMIT_DEFAULT]
    # Any page size walks the whole list once, newest first, without repeats or gaps.
    for limit in (7, None, paging.LIMIT_MAX):
        seen, sizes = _walk(api, path, key, ident, limit, oldest_first)
        assert seen == expected, limit
        size = limit or paging.LIMIT_DEFAULT
        assert sizes == [size] * (len(expected) // size) + ([len(expected) % size] if len(expected) % size else [])


@pytest.mark.parametrize("name", API_LISTS)
@pytest.mark.parametrize("query, field", [
    ("before=abc", "before"), ("before=0", "before"), ("before=-3", "before"), ("before=1.5", "before"),
    ("before=99999999999", "before"), ("before=%D9%A3", "before"), ("limit=0", "limit"), ("limit=201", "limit"),
    ("limit=ten", "limit"), ("limit=-1", "limit"), ("before=3&limit=0", "limit"),
    ("before=" + "9" * 5000, "before"), ("limit=" + "9" * 5000, "limit"),
])
def test_a_bad_cursor_or_limit_is_422_naming_it_and_changes_nothing(name, query, field, user, campaign, api, work):
    path, key, _, _, table = API_LISTS[name]
    path = path.format(id=campaign.id)
    before = table.query.count()
    status, body = api.get(f"{path}?{query}")
    assert status == 422, body
    assert set(body["detail"]) == {field} and f"`{field}`" in body["error"], body
    assert table.query.count() == before


def test_a_cursor_for_another_campaign_still_answers_404_first(api, user):
    status, body = api.get("/api/campaigns/99999/chat?before=abc")
    assert status == 404 and body["error"] == "No such campaign."


def test_the_document_names_the_paging_parameters_and_next(app):
    document = app.test_client().get("/api/openapi.json").get_json()
    for path, _, _, _, _ in API_LISTS.values():
        path = path.replace(KIND, "{kind}")
        operation = document["paths"][path]["get"]
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert parameters["limit"]["schema"]["maximum"] == paging.LIMIT_MAX, path
        assert parameters["limit"]["schema"]["default"] == paging.LIMIT_DEFAULT, path
        assert parameters["before"]["schema"]["type"] == "string", path
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
        schema = document["components"]["schemas"][answer]
        assert "next" in schema["properties"] and "next" in schema["required"], path
        assert "422" in operation["responses"], path


# --- The pages -----------------------------------------------------------------------------------------

def _walk_pages(client, url: str, item: str, section: str | None = None, oldest_first=False) -> tuple[list, list[int]]:
    """Follow the "Older" links from `url` to the end, checking each page: every item found by the regex `item`
    (inside the element with id `section`, if given), newest first, and each page's count."""
    seen, sizes = [], []
    while url:
        response = client.get(url)
        check_page(url, response)
        text = response.get_data(as_text=True)
        if section:
            text = text[text.index(f'id="{section}"'):]
            text = text[:text.index("</section>")]
        found = re.findall(item, text)
        seen += found[::-1] if oldest_first else found
        sizes.append(len(found))
        older = re.search(r'<a rel="next" href="([^"]+)"', text)
        url = html.unescape(older.group(1)).split("#")[0] if older else None
        assert len(sizes) < 20, "the walk does not end"
    return seen, sizes


def _pages(total: int, size: int) -> list[int]:
    return [size] * (total // size) + ([total % size] if total % size else [])


def test_the_campaigns_page_shows_the_newest_and_links_to_older_ones(auth_client, user, campaign):
    expected = _campaigns(user, CAMPAIGNS_SHOWN + 4)
    seen, sizes = _walk_pages(auth_client, "/", r'<h2><a href="/campaigns/(\d+)">')
    assert [int(i) for i in seen] == expected and sizes == _pages(len(expected), CAMPAIGNS_SHOWN)
    newest = auth_client.get(f"/?before={expected[CAMPAIGNS_SHOWN - 1]}").get_data(as_text=True)
    assert 'href="/">Newest campaigns</a>' in newest


def test_the_board_shows_the_newest_messages_and_links_to_older_ones(auth_client, user, campaign):
    expected = _messages(user, campaign, MESSAGES_SHOWN * 2 + 3)
    board = f"/campaigns/{campaign.id}/strategy"
    seen, sizes = _walk_pages(auth_client, board, r'<p class="chat-text">(Message number \d+)</p>', "chat",
                              oldest_first=True)
    assert seen == expected and sizes == _pages(len(expected), MESSAGES_SHOWN)
    # With htmx, the same link swaps the chat section in place.
    text = auth_client.get(board).get_data(as_text=True)
    cursor = re.search(r'hx-get="/campaigns/\d+/chat\?before=(\d+)" hx-target="#chat"', text).group(1)
    fragment = auth_client.get(f"/campaigns/{campaign.id}/chat?before={cursor}", headers={"HX-Request": "true"})
    shown = re.findall(r'<p class="chat-text">(Message number \d+)</p>', fragment.get_data(as_text=True))
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="chat"')
    assert shown[::-1] == expected[MESSAGES_SHOWN:MESSAGES_SHOWN * 2]
    # Without JavaScript, the fragment's address leads to the board at that page.
    response = auth_client.get(f"/campaigns/{campaign.id}/chat?before={cursor}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{board}?before={cursor}#chat")


def test_the_board_lists_no_versions(auth_client, user):
    planned, _ = _versions(user, 30)
    text = auth_client.get(f"/campaigns/{planned.id}/strategy").get_data(as_text=True)
    assert "30 versions ·" in text and "A new plan becomes version 31;" in text
    assert text.count("/strategy/versions/") == 0


def test_the_versions_page_shows_the_newest_and_links_to_older_ones(auth_client, user):
    planned, expected = _versions(user, VERSIONS_SHOWN + 5)
    url = f"/campaigns/{planned.id}/strategy/versions"
    seen, sizes = _walk_pages(auth_client, url, r'<li id="version-(\d+)"')
    assert [int(n) for n in seen] == expected and sizes == _pages(len(expected), VERSIONS_SHOWN)
    # The compare form takes numbers: it does not list every version.
    text = auth_client.get(url).get_data(as_text=True)
    assert "<option" not in text and f'max="{len(expected)}"' in text


def test_the_step_versions_page_shows_the_newest_and_links_to_older_ones(auth_client, user, campaign, api, work):
    expected = _step_versions(user, campaign, api, work, STEP_VERSIONS_SHOWN + 3)
    url = f"/campaigns/{campaign.id}/steps/{KIND}/versions"
    seen, sizes = _walk_pages(auth_client, url, r'<li(?: class="current")? id="version-(\d+)"')
    assert [int(n) for n in seen] == expected and sizes == _pages(len(expected), STEP_VERSIONS_SHOWN)
    assert "<option" not in auth_client.get(url).get_data(as_text=True)


def test_the_results_page_pages_the_versions_table(auth_client, user):
    planned, expected = _versions(user, RESULT_VERSIONS_SHOWN + 4)
    url = f"/campaigns/{planned.id}/results"
    seen, sizes = _walk_pages(auth_client, url, r'<th scope="row"><a href="/campaigns/\d+/strategy/versions/(\d+)">',
                              "versions")
    assert [int(n) for n in seen] == expected and sizes == _pages(len(expected), RESULT_VERSIONS_SHOWN)


def test_the_results_page_pages_the_past_alerts(auth_client, user):
    planned, expected = _alerts(user, PAST_ALERTS_SHOWN + 3)
    url = f"/campaigns/{planned.id}/results"
    text = auth_client.get(url).get_data(as_text=True)
    assert f"Past alerts ({len(expected)})" in text
    seen, sizes = _walk_pages(auth_client, url, r'<article class="alert-card" id="alert-(\d+)"', "alerts")
    assert [int(i) for i in seen] == expected and sizes == _pages(len(expected), PAST_ALERTS_SHOWN)
    # With htmx the link swaps the section, and the section keeps refreshing the page it shows.
    older = re.search(r'hx-get="(/campaigns/\d+/alerts\?before=\d+)" hx-target="#alerts"', text).group(1)
    fragment = auth_client.get(older, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="alerts"') and f'hx-get="{older}&amp;state=' in fragment
    assert [int(i) for i in re.findall(r'id="alert-(\d+)"', fragment)] == expected[PAST_ALERTS_SHOWN:]


@pytest.mark.parametrize("url", [
    "/?before=abc", "/campaigns/{id}/strategy?before=0", "/campaigns/{id}/chat?before=x",
    "/campaigns/{id}/strategy/versions?before=-1", f"/campaigns/{{id}}/steps/{KIND}/versions?before=1.5",
    "/campaigns/{id}/results?before=abc", "/campaigns/{id}/results?alerts_before=abc",
])
def test_a_page_with_a_bad_cursor_is_422_and_changes_nothing(auth_client, campaign, url):
    counts = [table.query.count() for table in (Campaign, ChatMessage, StrategyVersion, Alert)]
    headers = {"HX-Request": "true"} if "/chat?" in url else {}
    response = auth_client.get(url.format(id=campaign.id), headers=headers)
    assert response.status_code == 422
    assert "cursor" in response.get_data(as_text=True)
    assert [table.query.count() for table in (Campaign, ChatMessage, StrategyVersion, Alert)] == counts


# --- Statements per page -------------------------------------------------------------------------------

def _statements(app, client, url: str, headers: dict | None = None) -> int:
    client.get(url, headers=headers)  # once before, so what a first request does once is not counted
    with statements_of(app) as seen:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(seen)


def test_the_campaigns_list_costs_the_same_statements_for_3_and_30_campaigns(app, auth_client, user, token):
    api = {"Authorization": f"Bearer {token}"}
    _campaigns(user, 3)
    few = _statements(app, auth_client, "/"), _statements(app, auth_client, "/api/campaigns", api)
    _campaigns(user, 27)
    many = _statements(app, auth_client, "/"), _statements(app, auth_client, "/api/campaigns", api)
    assert few == many


def test_the_board_costs_the_same_statements_for_3_and_30_messages_and_versions(app, auth_client, user, work):
    counts = []
    for size in (3, 30):
        planned, _ = _versions(user, size)
        history.chat_messages(user.workspace_id, planned, user, size)
        work()  # the questions are answered, as they are a moment after they are asked
        counts.append(_statements(app, auth_client, f"/campaigns/{planned.id}/strategy"))
        db.session.expire_all()
    assert counts[0] == counts[1]


@pytest.mark.parametrize("url", ["/campaigns/{id}/strategy/versions", "/campaigns/{id}/results",
                                 "/api/campaigns/{id}/versions", "/api/campaigns/{id}/chat",
                                 "/api/campaigns/{id}/metrics"])
def test_the_history_pages_cost_the_same_statements_for_3_and_30_versions(app, auth_client, user, token, url,
                                                                         work):
    headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else None
    counts = []
    for size in (3, 30):
        planned, _ = _versions(user, size)
        history.chat_messages(user.workspace_id, planned, user, size)
        work()  # the questions are answered, as they are a moment after they are asked
        counts.append(_statements(app, auth_client, url.format(id=planned.id), headers))
    assert counts[0] == counts[1]
