"""The results page, the CSV upload with its preview and confirmation, the post page's numbers and form,
the board's CTR figures, and the metrics API: each bad input answered clearly with nothing saved."""
import re
from datetime import date, timedelta

import pytest

from gtm.extensions import db
from gtm.models import Alert, Metric
from gtm.services import results

from tests.kit.pages import check_page
from tests.kit.results import DAY, EARLIER, HX, csv_of, first_post, stored, upload
from tests.kit.written import campaign, planned  # noqa: F401  (fixtures)


def section(text: str, section_id: str) -> str:
    start = text.index(f'id="{section_id}"')
    end = text.find("<section", start + 1)
    return text[start:end if end != -1 else None]


def ab_rows(post_id) -> list[dict]:
    """The A/B example: A 3,000 impressions and 42 clicks, B 3,000 and 63, over two days."""
    return [{"post_id": str(post_id), "variant": "A", "date": EARLIER, "impressions": 1500, "clicks": 20,
             "conversions": 2, "spend": "30.00"},
            {"post_id": str(post_id), "variant": "A", "date": DAY, "impressions": 1500, "clicks": 22,
             "conversions": 3, "spend": "30.00"},
            {"post_id": str(post_id), "variant": "B", "date": EARLIER, "impressions": 1500, "clicks": 30,
             "conversions": 4, "spend": "30.00"},
            {"post_id": str(post_id), "variant": "B", "date": DAY, "impressions": 1500, "clicks": 33,
             "conversions": 5, "spend": "30.00"}]


# --- The results page ----------------------------------------------------------------------------------

def test_the_results_page_shows_totals_charts_ab_results_and_versions(auth_client, campaign, planned):
    post = first_post(planned, 1)
    results.record_metrics(campaign.workspace_id, campaign.id, ab_rows(post["id"]))
    response = auth_client.get(f"/campaigns/{campaign.id}/results")
    check_page("results", response)
    text = response.get_data(as_text=True)
    assert '<a href="/campaigns/%d/results" aria-current="page">Results</a>' % campaign.id in text

    summary = section(text, "summary")
    for shown in ("6,000", "105", "1.8%", "14", "13.3%", "120.00 EUR", "8.57 EUR"):
        assert f"<dd>{shown}</dd>" in summary, shown
    # The daily line: one point per day, and every value in words for screen readers.
    line = re.search(r'<svg[^>]*aria-labelledby="line-title line-desc"[^>]*>(.*?)</svg>', summary, re.S).group(1)
    assert line.count("<circle") == 2 and "<polyline" in line
    assert f"<desc id=\"line-desc\">CTR by day, {EARLIER} to {DAY}: {EARLIER} 1.7%; {DAY} 1.8%.</desc>" in line
    # A bar per phase; phases without numbers say so.
    bars = re.search(r'<svg[^>]*aria-labelledby="bars-title bars-desc"[^>]*>(.*?)</svg>', summary, re.S).group(1)
    phase_count = len(planned["phases"])
    assert bars.count('<rect class="bar"') == phase_count
    desc = re.search(r'<desc id="bars-desc">(.*?)</desc>', bars).group(1)
    assert "1.8%" in desc and desc.count("no numbers yet") == phase_count - 1
    # Another metric for the charts, by link (no script needed).
    clicks = auth_client.get(f"/campaigns/{campaign.id}/results?metric=clicks").get_data(as_text=True)
    assert f"Clicks by day, {EARLIER} to {DAY}: {EARLIER} 50; {DAY} 55." in clicks

    by_post = section(text, "by-post")
    row = section(by_post, f"result-post-{post['id']}")
    assert "B leads on CTR, 2.1% vs 1.4%, 96% confidence." in row
    assert "Not enough data yet for conversion rate: it needs 100 clicks per variant (A has 42, B has 63)." in row
    versions = section(text, "versions")
    assert "Version 1" in versions and "1 of %d" % sum(len(p["posts"]) for p in planned["phases"]) in versions


def test_without_numbers_the_page_says_how_to_bring_them_in(auth_client, campaign, planned):
    text = auth_client.get(f"/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "No numbers yet." in section(text, "summary") and "<svg" not in section(text, "summary")
    assert f"POST /api/campaigns/{campaign.id}/metrics" in text
    assert 'name="file" type="file"' in section(text, "bring-in")


# --- The CSV upload ------------------------------------------------------------------------------------

def test_a_csv_is_previewed_then_saved_on_confirm(auth_client, campaign, planned):
    key = first_post(planned)["key"]
    data = csv_of(f"{key},A,{DAY},1000,12,1,5.00", f"{key},B,{DAY},1000,18,2,5.00")
    response = upload(auth_client, campaign, data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "All 2 rows are ready. Nothing is saved until you confirm" in text
    assert stored() == []
    hidden = re.search(r'<textarea name="csv" hidden>(.*?)</textarea>', text, re.S).group(1)

    response = auth_client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": hidden})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}/results?recorded=2#bring-in")
    assert [row[1:5] for row in stored()] == [("A", DAY, 1000, 12), ("B", DAY, 1000, 18)]
    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recorded 2 rows; the triggers were checked against them." in page
    # The same file again updates the rows; it never adds a second one.
    upload(auth_client, campaign, data)
    auth_client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": hidden})
    assert len(stored()) == 2


def test_every_bad_row_is_named_and_nothing_is_saved(auth_client, campaign, planned, user):
    from gtm.services import campaigns as campaign_service
    from tests.kit.campaigns import CAMPAIGN

    key = first_post(planned)["key"]
    other = campaign_service.create_campaign(user.workspace_id, {**CAMPAIGN, "name": "Other"})
    results.record_metrics(campaign.workspace_id, campaign.id, [{"post_id": first_post(planned)["id"], "variant": "A",
                                                          "date": EARLIER, "impressions": 10, "clicks": 1}])
    before = stored()
    future = (date.today() + timedelta(days=3)).isoformat()
    lines = [
        (f"{key},A,{DAY},-5,0,0,0", "Impressions cannot be negative."),
        (f"{key},B,{DAY},100,101,0,0", "Clicks (101) cannot be more than impressions (100)."),
        (f"{key},A,{EARLIER},100,10,11,0", "Conversions (11) cannot be more than clicks (10)."),
        (f"p9-9,A,{DAY},100,1,0,0", "This campaign has no post “p9-9”."),
        (f"{key},C,{DAY},100,1,0,0", "The variant must be A or B."),
        (f"{key},A,yesterday,100,1,0,0", "Write the date as YYYY-MM-DD"),
        (f"{key},A,{future},100,1,0,0", f"{future} is in the future"),
        (f"{key},B,{EARLIER},100,1,0,-2", "Spend cannot be negative."),
    ]
    data = csv_of(*(line for line, _ in lines), f"{key},B,{DAY},100,5,1,1.00")
    response = upload(auth_client, campaign, data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f"{len(lines)} of {len(lines) + 1} rows need attention; nothing was saved." in text
    for _, problem in lines:
        assert str(problem).replace("“", "&#8220;") in text or problem in text, problem
    assert 'name="csv"' not in text  # no way to confirm a file with bad rows
    # Posting the text anyway is refused the same way.
    response = auth_client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": data.decode()})
    assert response.status_code == 422 and "nothing was recorded" in response.get_data(as_text=True)
    # A post of another campaign is unknown here.
    assert other.id != campaign.id
    assert stored() == before


@pytest.mark.parametrize("data, status, words", [
    (b"", 422, "The file is empty."),
    (b"post,variant\np1-1,A\n", 422, "date, impressions, clicks are missing"),
    (b"\xff\xfe\x00bad", 422, "The file is not UTF-8 text."),
    (b"post,variant,date,impressions,clicks\n" + b"x" * (results.CSV_MAX_BYTES + 10), 413,
     "a CSV upload is at most 1 MiB"),
])
def test_a_file_that_cannot_be_taken_says_why(auth_client, campaign, planned, data, status, words):
    response = upload(auth_client, campaign, data)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert stored() == []


def test_an_upload_without_a_file_asks_for_one(auth_client, campaign, planned):
    response = auth_client.post(f"/campaigns/{campaign.id}/results/upload", data={},
                                content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(auth_client, campaign, planned):
    response = upload(auth_client, campaign, b"x" * (3 * results.CSV_MAX_BYTES))
    assert response.status_code == 413
    assert "a CSV of results is at most 1 MiB" in response.get_data(as_text=True)


def test_the_template_downloads_with_a_row_per_post_and_variant(auth_client, campaign, planned):
    response = auth_client.get(f"/campaigns/{campaign.id}/results/template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="metrics-template-campaign-{campaign.id}.csv"'
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "post,title,variant,date,impressions,clicks,conversions,spend"
    assert len(lines) == 1 + 2 * sum(len(phase["posts"]) for phase in planned["phases"])
    # The template, uploaded as it is, has no numbers to record: it says so and saves nothing.
    answer = upload(auth_client, campaign, response.get_data())
    assert answer.status_code == 422 and "has numbers, so there is nothing to record" in answer.get_data(as_text=True)


# --- The post page and the board ----------------------------------------------------------------------

def test_the_post_page_records_a_day_and_shows_the_ab_result(auth_client, campaign, planned):
    post = first_post(planned)
    url = f"/campaigns/{campaign.id}/posts/{post['id']}"
    response = auth_client.get(url)
    check_page("post", response)
    text = response.get_data(as_text=True)
    assert "No numbers for this post yet." in section(text, "results")
    form = {"variant": "B", "date": DAY, "impressions": "1,200", "clicks": "30", "conversions": "3", "spend": "12.50"}
    response = auth_client.post(f"{url}/metrics", data=form)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{url}?saved=1#results")
    page = section(auth_client.get(response.headers["Location"]).get_data(as_text=True), "results")
    assert "Saved." in page and "1,200" in page and "Not enough data yet for CTR" in page
    # The same variant and day again replaces the numbers.
    auth_client.post(f"{url}/metrics", data={**form, "impressions": "1500"})
    assert [row[1:5] for row in stored()] == [("B", DAY, 1500, 30)]


def test_the_post_form_with_htmx_answers_its_section_and_announces_new_numbers(auth_client, campaign, planned):
    url = f"/campaigns/{campaign.id}/posts/{first_post(planned)['id']}"
    form = {"variant": "A", "date": DAY, "impressions": "900", "clicks": "9", "conversions": "0", "spend": ""}
    response = auth_client.post(f"{url}/metrics", data=form, headers=HX)
    assert response.status_code == 200
    assert "metrics-changed" in response.headers["HX-Trigger"]
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith('<section class="card post-results" id="results"') and "Saved." in text


@pytest.mark.parametrize("change, words", [
    ({"clicks": "901"}, "Clicks (901) cannot be more than impressions (900)."),
    ({"impressions": "-1"}, "Impressions cannot be negative."),
    ({"variant": "C"}, "The variant must be A or B."),
    ({"date": (date.today() + timedelta(days=2)).isoformat()}, "is in the future"),
    ({"date": "not a day"}, "Write the date as YYYY-MM-DD"),
])
def test_a_bad_day_on_the_post_page_is_refused_and_nothing_is_saved(auth_client, campaign, planned, change, words):
    url = f"/campaigns/{campaign.id}/posts/{first_post(planned)['id']}"
    form = {"variant": "A", "date": DAY, "impressions": "900", "clicks": "9", "conversions": "0", "spend": "", **change}
    for headers in ({}, HX):
        response = auth_client.post(f"{url}/metrics", data=form, headers=headers)
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert "Nothing was saved: check the fields marked below." in text and words in text
        assert 'aria-invalid="true"' in text
    assert stored() == []


def test_the_board_shows_ctr_on_cards_with_numbers(auth_client, campaign, planned):
    post, other = first_post(planned), first_post(planned, 0, 1)
    results.record_metrics(campaign.workspace_id, campaign.id, [{"post_id": post["id"], "variant": "A", "date": DAY,
                                                          "impressions": 800, "clicks": 20}])
    text = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    card = section(text, f"post-card-{post['id']}")
    assert '<p class="post-ctr">CTR 2.5%</p>' in card[:card.index("</article>")]
    card = section(text, f"post-card-{other['id']}")
    assert "post-ctr" not in card[:card.index("</article>")]


def test_a_csv_that_breaks_a_trigger_raises_an_alert_shown_on_the_pages(auth_client, campaign, planned):
    results.create_trigger(campaign.workspace_id, campaign.id, {"metric": "ctr", "comparison": "<", "threshold": 1,
                                                        "min_impressions": 1000, "scope_phase": 2,
                                                        "action": "regenerate"})
    lines = [f"{post['key']},{label},{DAY},1000,2,0,0" for post in planned["phases"][1]["posts"] for label in "AB"]
    text = upload(auth_client, campaign, csv_of(*lines)).get_data(as_text=True)
    hidden = re.search(r'<textarea name="csv" hidden>(.*?)</textarea>', text, re.S).group(1)
    auth_client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": hidden})
    db.session.expire_all()
    assert Alert.query.filter_by(campaign_id=campaign.id).count() == 1
    for url in (f"/campaigns/{campaign.id}/results", f"/campaigns/{campaign.id}/strategy", f"/campaigns/{campaign.id}"):
        assert "1 open alert" in auth_client.get(url).get_data(as_text=True), url
    assert Metric.query.count() == len(lines)


# --- The API --------------------------------------------------------------------------------------------

def test_metrics_through_the_api_are_recorded_upserted_and_read_back(api, campaign, planned):
    post = first_post(planned, 1)
    status, body = api.post(f"/api/campaigns/{campaign.id}/metrics", json={"metrics": ab_rows(post["id"])})
    assert status == 201 and body == {"recorded": 4, "open_alerts": []}
    status, body = api.post(f"/api/campaigns/{campaign.id}/metrics", json={"metrics": ab_rows(post["id"])[:1]})
    assert status == 201 and body["recorded"] == 1
    assert len(stored()) == 4

    status, found = api.get(f"/api/campaigns/{campaign.id}/metrics")
    assert status == 200
    assert found["totals"]["impressions"] == 6000 and found["totals"]["clicks"] == 105
    assert found["first_day"] == EARLIER and found["last_day"] == DAY and len(found["daily"]) == 2
    posts = {p["id"]: p for phase in found["phases"] for p in phase["posts"]}
    result = posts[str(post["id"])]
    assert result["variants"]["A"]["clicks"] == 42 and result["variants"]["B"]["ctr"] == 2.1
    assert result["ab"]["ctr"]["sentence"] == "B leads on CTR, 2.1% vs 1.4%, 96% confidence."
    assert result["ab"]["winner"] == "B" and result["ab"]["ctr"]["leader"] == "B"
    assert found["versions"][0]["number"] == 1 and found["versions"][0]["posts_with_numbers"] == 1


@pytest.mark.parametrize("body, field", [
    ({"metrics": [{"variant": "A", "date": DAY, "impressions": 10, "clicks": 1}]}, "metrics.0.post_id"),
    ({"metrics": [{"post_id": "999999", "variant": "A", "date": DAY, "impressions": 10, "clicks": 1}]},
     "metrics.0.post_id"),
    ({"metrics": [{"post_id": "{post}", "variant": "A", "date": DAY, "impressions": -1, "clicks": 0}]},
     "metrics.0.impressions"),
    ({"metrics": [{"post_id": "{post}", "variant": "A", "date": DAY, "impressions": 1, "clicks": 2}]},
     "metrics.0.clicks"),
    ({"metrics": [{"post_id": "{post}", "variant": "a", "date": DAY, "impressions": 1, "clicks": 1},
                  {"post_id": "{post}", "variant": "A", "date": DAY, "impressions": 2, "clicks": 3, "conversions": 4}]},
     "metrics.1.clicks"),
    ({"metrics": "rows"}, "metrics"),
    ({"metrics": []}, "metrics"),
    ({}, "metrics"),
])
def test_bad_metrics_through_the_api_are_refused_by_field_and_nothing_is_recorded(api, campaign, planned, body, field):
    post_id = str(first_post(planned)["id"])
    if isinstance(body.get("metrics"), list):
        body = {"metrics": [{k: (post_id if v == "{post}" else v) for k, v in row.items()} for row in body["metrics"]]}
    status, answer = api.post(f"/api/campaigns/{campaign.id}/metrics", json=body)
    assert status == 422, answer
    assert field in answer["detail"]
    assert stored() == []


def test_the_metrics_api_answers_404_for_another_workspaces_campaign(api, campaign, planned):
    from gtm.services import accounts, campaigns as campaign_service
    from tests.kit.campaigns import CAMPAIGN

    stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    theirs = campaign_service.create_campaign(stranger.workspace_id, CAMPAIGN)
    row = {"post_id": str(first_post(planned)["id"]), "variant": "A", "date": DAY, "impressions": 1, "clicks": 0}
    assert api.post(f"/api/campaigns/{theirs.id}/metrics", json={"metrics": [row]})[0] == 404
    assert api.get(f"/api/campaigns/{theirs.id}/metrics")[0] == 404
    # Their campaign has no such post either way: a post of ours is unknown there.
    assert stored() == []
