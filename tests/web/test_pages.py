"""Every page a person can reach is well-formed: htmx requests name their target, ids are unique,
form controls have labels, responses vary on HX-Request, and the requests of a fragment that
replaces itself keep in step with it."""
import pytest

from gtm.models import Post, Run

from tests.kit.pages import check_page, crawl


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


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_link_an_icon_and_favicon_ico_leads_to_it(client, auth_client, signed_in):
    reader = auth_client if signed_in else client
    html = reader.get("/" if signed_in else "/login").get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in html
    # Browsers ask /favicon.ico on their own, signed in or not: sent to the same icon, never a 404.
    response = reader.get("/favicon.ico")
    assert response.status_code == 302 and response.headers["Location"].endswith("/static/favicon.svg")
    with reader.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith('<svg xmlns="http://www.w3.org/2000/svg"')
