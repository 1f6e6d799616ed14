"""Importing a JSON export as a new campaign: a round trip loses nothing, media references are kept only to
this workspace's files, and a bad file creates nothing and says why (API and the campaigns page)."""
import copy
import io
import json

import pytest

from gtm.extensions import db
from gtm.models import Campaign, Post, StrategyVersion, Variant
from gtm.services import accounts, imports

from tests.kit.clients import PASSWORD
from tests.kit.exports import download


def export_json(api, campaign_id, query="") -> dict:
    return json.loads(download(api, campaign_id, f"format=json{query}").get_data())


def without_provenance(doc: dict) -> dict:
    return {key: value for key, value in doc.items() if key != "exported"}


def import_(api, doc):
    data = doc if isinstance(doc, (bytes, str)) else json.dumps(doc)
    return api.post("/api/campaigns/import", data=data, content_type="application/json")


def test_a_round_trip_loses_nothing(api, campaign, written):
    first_post = written["phases"][0]["posts"][0]
    # A variant fixed by hand stays marked as such.
    assert api.post(f"/api/campaigns/{campaign.id}/posts/{first_post['id']}/variants/A/versions", json={
        "headline": "Fixed by hand", "body": "Our words", "call_to_action": "Try it", "hashtags": []})[0] == 201
    assert api.post(f"/api/campaigns/{campaign.id}/approve-all")[0] == 200
    exported = export_json(api, campaign.id)
    calendars = {fmt: download(api, campaign.id, f"format={fmt}").get_data() for fmt in ("csv", "md")}
    # The original gives up its name, so the copy keeps it (a taken name gets " (imported)").
    assert api.patch(f"/api/campaigns/{campaign.id}", json={"name": "Bloom launch (old)"})[0] == 200
    status, body = import_(api, exported)
    assert status == 201 and body["name"] == "Bloom launch" and body["current_version"] == 1
    assert body["renamed_from"] is None
    assert body["launch_date"] == "2026-05-04" and body["steps"]["competitors"]["current_version"] == 1
    again = export_json(api, int(body["id"]))
    assert without_provenance(again) == without_provenance(exported)
    # The calendar and brief of the copy are those of the original, post for post.
    for fmt in ("csv", "md"):
        assert download(api, int(body["id"]), f"format={fmt}").get_data() == calendars[fmt]
    version = StrategyVersion.query.filter_by(campaign_id=int(body["id"])).one()
    assert (version.number, version.origin) == (1, "plan") and version.direction.startswith("Imported from")
    copy_of_first = Post.query.filter_by(campaign_id=int(body["id"]), key=first_post["key"]).one()
    assert copy_of_first.approved and copy_of_first.approved_at and copy_of_first.is_active
    assert {(v.label, v.number, v.is_current) for v in copy_of_first.variants} == {("A", 1, True), ("B", 1, True)}
    assert {(v.label, v.edited, v.headline == "Fixed by hand") for v in copy_of_first.variants} == {
        ("A", True, True), ("B", False, False)}


def test_an_import_whose_name_is_taken_gets_imported_added_and_says_so(api, campaign, written, auth_client):
    exported = export_json(api, campaign.id)
    status, body = import_(api, exported)
    assert status == 201 and body["name"] == "Bloom launch (imported)" and body["renamed_from"] == "Bloom launch"
    assert import_(api, exported)[1]["name"] == "Bloom launch (imported 2)"
    long_name = copy.deepcopy(exported)
    long_name["campaign"]["name"] = "n" * 120
    assert import_(api, long_name)[1]["name"] == "n" * 120
    named = import_(api, long_name)[1]["name"]
    assert len(named) == 120 and named.endswith("n (imported)")
    response = auth_client.post("/campaigns/import", data={"export": (io.BytesIO(json.dumps(exported).encode()),
                                                                      "bloom.json")},
                                content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "A campaign is already called “Bloom launch”, so this one is “Bloom launch (imported 3)”" in page


def test_media_is_kept_only_when_this_workspace_has_the_file(api, app, campaign, written):
    exported = export_json(api, campaign.id)
    other = accounts.sign_up("other@example.com", PASSWORD)
    token = accounts.create_token(other.id, "t")[1]
    response = api.client.post("/api/campaigns/import", data=json.dumps(exported), content_type="application/json",
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    theirs = Variant.query.join(Post).filter(Post.campaign_id == int(response.get_json()["id"])).all()
    assert theirs and all(v.media_path is None for v in theirs)
    missing = copy.deepcopy(exported)
    missing["phases"][0]["posts"][0]["variants"]["A"]["media_path"] = f"{campaign.workspace_id}/gone.png"
    status, body = import_(api, missing)
    doc = export_json(api, int(body["id"]))
    assert doc["phases"][0]["posts"][0]["variants"]["A"]["media_path"] is None
    assert doc["phases"][0]["posts"][0]["variants"]["B"]["media_path"] is not None


def broken(exported: dict, change) -> dict:
    doc = copy.deepcopy(exported)
    change(doc)
    return doc


def cut_first_edge_into(doc):
    target = doc["phases"][1]["posts"][0]["key"]
    doc["edges"] = [e for e in doc["edges"] if e["to"] != target]


CASES = {
    "not json": (lambda doc: b"{not json", 400, "not JSON", None),
    "not an object": (lambda doc: b"[1, 2]", 400, "not an object", None),
    "wrong format": (lambda doc: broken(doc, lambda d: d.update(format="other.thing")), 422, "not a gtm", "format"),
    "wrong version": (lambda doc: broken(doc, lambda d: d.update(format_version=2)), 422, "format version",
                      "format_version"),
    "missing phases": (lambda doc: broken(doc, lambda d: d.pop("phases")), 422, "phases", "phases"),
    "missing post title": (lambda doc: broken(doc, lambda d: d["phases"][0]["posts"][0].pop("title")), 422,
                           "phases[0].posts[0].title", "phases[0].posts[0].title"),
    "campaign rules": (lambda doc: broken(doc, lambda d: d["campaign"].update(channels=["telegraph"], name="")),
                       422, "campaign rules", "campaign.channels"),
    "graph rules": (lambda doc: broken(doc, cut_first_edge_into), 422, "has no parent in phase 1", "phases"),
    "unknown edge": (lambda doc: broken(doc, lambda d: d["edges"].append({"from": "nope", "to": "p2"})), 422,
                     "No post in the file has the key 'nope'", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_creates_nothing_and_says_why(api, campaign, written, case):
    make, status, words, field = CASES[case]
    doc = make(export_json(api, campaign.id))
    before = (Campaign.query.count(), Post.query.count(), Variant.query.count())
    answer_status, body = import_(api, doc)
    assert answer_status == status, body
    assert words in body["error"] + json.dumps(body["detail"])
    if field:
        assert field in body["detail"]
    db.session.expire_all()
    assert (Campaign.query.count(), Post.query.count(), Variant.query.count()) == before


@pytest.mark.parametrize("size", [imports.IMPORT_MAX_BYTES + 10, imports.IMPORT_MAX_BYTES * 3])
def test_an_oversized_file_is_refused_with_the_limit(api, campaign, size):
    status, body = import_(api, b'{"format": "gtm.campaign", "pad": "' + b"x" * size + b'"}')
    assert status == 413 and "2 MiB" in body["error"] + str(body["detail"])
    assert Campaign.query.count() == 1


def test_the_campaigns_page_imports_a_file(api, campaign, written, auth_client):
    page = auth_client.get("/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "Import a campaign (JSON export)" in page
    raw = download(api, campaign.id, "format=json").get_data()
    response = auth_client.post("/campaigns/import", data={"export": (io.BytesIO(raw), "bloom.json")},
                                content_type="multipart/form-data")
    assert response.status_code == 303
    created = Campaign.query.order_by(Campaign.id.desc()).first()
    assert created.id != campaign.id and response.headers["Location"].endswith(f"/campaigns/{created.id}")
    assert created.current_version == 1


def test_a_bad_upload_shows_the_error_beside_the_field(auth_client, user):
    for data, words in (({"export": (io.BytesIO(b"hello"), "x.json")}, "not JSON"),
                        ({}, "Choose a JSON export"),
                        ({"export": (io.BytesIO(json.dumps({"format": "gtm.campaign", "format_version": 1}).encode()),
                                     "x.json")}, "lacks campaign, steps, phases, edges")):
        response = auth_client.post("/campaigns/import", data=data, content_type="multipart/form-data")
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="export-error"' in text and words in text
    assert Campaign.query.count() == 0


PLAIN = "This file is not a campaign export: it is not JSON."
CHOOSE = "Choose the .json file that “Download: JSON” on a strategy board saves."


@pytest.mark.parametrize("raw, words", [
    (b"Date,Impressions\n2026-05-04,1500\n", f"{PLAIN} {CHOOSE}"),  # a CSV chosen by mistake
    (b'{\n  "format": "gtm.campaign",\n  "name": oops\n}', f"{PLAIN} It stops being JSON at line 3, column 11. "
                                                          f"{CHOOSE}"),  # an export edited by hand
    (b"\x89PNG\r\n\x1a\n\xff\xfe", f"This file is not text, so it is not a campaign export. {CHOOSE}"),
])
def test_a_file_that_is_not_json_is_refused_in_plain_words(api, auth_client, user, raw, words):
    status, body = import_(api, raw)
    assert status == 400 and body["error"] == words, body
    response = auth_client.post("/campaigns/import", data={"export": (io.BytesIO(raw), "results.csv")},
                                content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="export-error"' in text
    assert words in text
    for parser_words in ("Expecting", "char 0", "codec", "delimiter"):
        assert parser_words not in body["error"] and parser_words not in text
    assert Campaign.query.count() == 0


def test_the_upload_needs_its_csrf_token(auth_client):
    response = auth_client.post("/campaigns/import", data={"export": (io.BytesIO(b"{}"), "x.json")},
                                content_type="multipart/form-data", with_csrf=False)
    assert response.status_code == 400 and Campaign.query.count() == 0


def test_imported_text_is_escaped_and_unfinished_posts_can_be_retried(api, campaign, written, auth_client):
    doc = export_json(api, campaign.id)
    doc["phases"][0]["posts"][0]["title"] = "<script>alert('x')</script>"
    doc["phases"][0]["posts"][1]["status"] = "writing"
    status, body = import_(api, doc)
    assert status == 201
    page = auth_client.get(f"/campaigns/{body['id']}/strategy").get_data(as_text=True)
    assert "<script>alert(" not in page and "&lt;script&gt;alert(" in page
    post = Post.query.filter_by(campaign_id=int(body["id"]), key=doc["phases"][0]["posts"][1]["key"]).one()
    assert post.status == "failed" and "retry" in post.error

