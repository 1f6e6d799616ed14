"""A signed-up user attacks the JSON import: paths into another workspace's media, references to rows of this
instance, keys that collide, oversized text and step content that breaks its schema. Each bad file gets a 4xx
naming what is wrong, and nothing is created; a variant whose row holds a bad path is never served."""
import copy
import io
import json
import os

import pytest

from gtm.extensions import db
from gtm.models import Campaign, Post, Run, StepVersion, StrategyVersion, Variant
from gtm.services import accounts, campaigns, graph, media
from gtm.services.strategy.context import HASHTAGS_MAX, body_limit
from gtm.services.strategy.variants import HEADLINE_MAX

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD
from tests.kit.exports import COMPETITORS, changed, export_doc, import_


FIRST_A = "phases[0].posts[0].variants.A"

COSTS = {"summary": "The spend.", "line_items": [
    {"item": "Ads", "channel": "linkedin", "unit_cost": "38", "quantity": "10", "notes": "",
     "total": "999999.00", "running_total": "999999.00", "over_budget": True}],
    "grand_total": "999999.00", "over_budget": True, "currency": "EUR", "budget": "1.00"}


def counts() -> tuple:
    db.session.expire_all()
    return (Campaign.query.count(), Post.query.count(), Variant.query.count(), StepVersion.query.count())


def refused(api, doc, field: str, status: int = 422) -> dict:
    """Import the file; assert it is refused naming `field`, and that nothing was created."""
    before = counts()
    listed = api.get("/api/campaigns")[1]
    answer_status, body = import_(api, doc)
    assert answer_status == status, body
    assert field in body["detail"] and body["error"], body
    assert counts() == before and api.get("/api/campaigns")[1] == listed
    return body


@pytest.fixture
def rival(app):
    """A second workspace, with an image of its own in its media folder."""
    owner = accounts.sign_up("rival@example.com", PASSWORD)
    media.store(owner.workspace_id, "secret.png", b"\x89PNG rival")
    return owner


def first_a(doc) -> dict:
    return doc["phases"][0]["posts"][0]["variants"]["A"]


def imported_variant(body) -> Variant:
    return Variant.query.join(Post).filter(Post.campaign_id == int(body["id"]), Post.key == "p1-1",
                                           Variant.label == "A").one()


# --- media references -----------------------------------------------------------------------------------

def test_a_climb_into_another_workspace_is_refused_alike_whether_the_file_exists(api, user, rival):
    answers = []
    for name in ("secret.png", "missing.png"):
        doc = changed(lambda d: first_a(d).update(
            media_path=f"{user.workspace_id}/../{rival.workspace_id}/{name}"))
        body = refused(api, doc, f"{FIRST_A}.media_path")
        answers.append(body)
    assert answers[0] == answers[1]
    assert "secret" not in json.dumps(answers[0]) and "missing" not in json.dumps(answers[0])


@pytest.mark.parametrize("shape", [
    "/etc/passwd", "/{own}/own.png", "{own}\\own.png", "{own}/sub/own.png", "{own}//own.png", "{own}/./own.png",
    "{own}/../{own}/own.png", "../{rival}/secret.png", "{own}/.hidden.png", "{own}/", "{own}", "", "..",
    "{own}/own.png/", " {own}/own.png", "0{own}/own.png", "{own}/own png.png", "~/{own}/own.png",
    "{own}/%2e%2e", "file:///{own}/own.png", "C:\\media\\{own}\\own.png",
])
def test_a_media_path_of_any_other_shape_is_refused_naming_the_field(api, user, rival, shape):
    media.store(user.workspace_id, "own.png", b"\x89PNG own")
    path = shape.format(own=user.workspace_id, rival=rival.workspace_id)
    body = refused(api, changed(lambda d: first_a(d).update(media_path=path)), f"{FIRST_A}.media_path")
    assert "workspace id" in body["detail"][f"{FIRST_A}.media_path"]


def test_a_path_with_a_nul_is_refused(api, user):
    path = f"{user.workspace_id}/own.png\x00.txt"
    before = counts()
    status, body = import_(api, changed(lambda d: first_a(d).update(media_path=path)))
    assert status == 422 and any("media_path" in name for name in body["detail"])
    assert counts() == before


def test_another_workspaces_file_is_dropped_without_looking_at_it(api, user, rival):
    """An export made in another workspace names that workspace's folder; it imports without its images, and
    whether the file exists there makes no difference."""
    kept = []
    for name in ("secret.png", "missing.png"):
        status, body = import_(api, changed(lambda d: first_a(d).update(media_path=f"{rival.workspace_id}/{name}")))
        assert status == 201, body
        kept.append(imported_variant(body).media_path)
    assert kept == [None, None]


def test_an_own_file_is_kept_and_served_and_a_missing_one_dropped(api, user, auth_client):
    media.store(user.workspace_id, "own.png", b"\x89PNG own")
    status, body = import_(api, changed(lambda d: first_a(d).update(media_path=f"{user.workspace_id}/own.png")))
    assert status == 201
    found = imported_variant(body)
    assert found.media_path == f"{user.workspace_id}/own.png"
    with auth_client.get(f"/media/variants/{found.id}.png") as response:
        assert response.status_code == 200 and response.get_data() == b"\x89PNG own"
    status, body = import_(api, changed(lambda d: first_a(d).update(media_path=f"{user.workspace_id}/gone.png")))
    assert status == 201 and imported_variant(body).media_path is None


def test_a_link_in_the_own_folder_is_not_followed(api, user, rival):
    folder = media.root() / str(user.workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(media.root() / str(rival.workspace_id) / "secret.png", folder / "link.png")
    status, body = import_(api, changed(lambda d: first_a(d).update(media_path=f"{user.workspace_id}/link.png")))
    assert status == 201 and imported_variant(body).media_path is None
    assert media.path(user.workspace_id, f"{user.workspace_id}/link.png") is None


@pytest.mark.parametrize("stored", [
    "../{rival}/secret.png", "{own}/../{rival}/secret.png", "{rival}/secret.png", "/{rival}/secret.png",
    "{own}\\..\\{rival}\\secret.png", "{own}/link.png",
])
def test_a_variant_whose_row_holds_a_bad_path_is_not_served(api, user, rival, auth_client, stored):
    folder = media.root() / str(user.workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(media.root() / str(rival.workspace_id) / "secret.png", folder / "link.png")
    status, body = import_(api, export_doc())
    found = imported_variant(body)
    found.media_path = stored.format(own=user.workspace_id, rival=rival.workspace_id)
    db.session.commit()
    with auth_client.get(f"/media/variants/{found.id}.png") as response:
        assert response.status_code == 404 and b"rival" not in response.get_data()


def test_the_import_page_names_a_bad_media_path(auth_client, user):
    doc = changed(lambda d: first_a(d).update(media_path=f"{user.workspace_id}/../1/x.png"))
    response = auth_client.post("/campaigns/import", data={"export": (io.BytesIO(json.dumps(doc).encode()), "x.json")},
                                content_type="multipart/form-data")
    assert response.status_code == 422 and f"{FIRST_A}.media_path" in response.get_data(as_text=True)
    assert Campaign.query.count() == 0


# --- references to posts and to rows of this instance ------------------------------------------------

def test_keys_that_collide_or_edges_to_unknown_keys_are_refused(api):
    def duplicate(d):
        d["phases"][1]["posts"][0]["key"] = "p1-1"
    refused(api, changed(duplicate), "phases[1].posts[0].key")

    def padded(d):
        d["phases"][1]["posts"][0]["key"] = "  p1-1 "
    refused(api, changed(padded), "phases[1].posts[0].key")

    def blank(d):
        d["phases"][0]["posts"][1]["key"] = "   "
    refused(api, changed(blank), "phases[0].posts[1].key")

    refused(api, changed(lambda d: d["edges"].append({"from": "p1-1", "to": "nope"})), "edges[4].to")
    refused(api, changed(lambda d: d["edges"].append({"from": " ghost", "to": "p2-1"})), "edges[4].from")
    refused(api, changed(lambda d: d["edges"].append({"from": 7, "to": "p2-1"})), "edges[4].from")
    refused(api, changed(lambda d: d.update(edges={"from": "p1-1"})), "edges")


def test_ids_in_the_file_never_point_at_rows_of_this_instance(api, user, rival):
    theirs = campaigns.create_campaign(rival.workspace_id, dict(CAMPAIGN))
    run = Run(workspace_id=rival.workspace_id, campaign_id=theirs.id, kind="step", subject="competitors",
              status="failed", error="x")
    db.session.add(run)
    db.session.commit()

    def point_at_theirs(d):
        d["exported"] = {"campaign_id": str(theirs.id), "version": True, "run_id": run.id}
        d["id"] = theirs.id
        d["campaign"]["id"] = theirs.id
        d["steps"][0].update(id=1, run_id=run.id, campaign_id=theirs.id, number=9, based_on=3)
        d["phases"][0]["posts"][0].update(id=1, campaign_id=theirs.id, version=7)
        first_a(d).update(id=1, run_id=run.id, post_id=1, number=5, based_on=1)
    status, body = import_(api, changed(point_at_theirs))
    assert status == 201, body
    mine = db.session.get(Campaign, int(body["id"]))
    assert mine.workspace_id == user.workspace_id and mine.id != theirs.id and mine.current_version == 1
    step = StepVersion.query.filter_by(campaign_id=mine.id).one()
    assert (step.number, step.run_id, step.based_on) == (1, None, None)
    found = imported_variant(body)
    assert (found.number, found.run_id, found.based_on) == (1, None, None)
    assert Post.query.filter_by(campaign_id=theirs.id).count() == 0
    assert "True" not in StrategyVersion.query.filter_by(campaign_id=mine.id).one().direction


# --- text within the product's own limits ---------------------------------------------------------

def _set(path: str, value):
    """A change that sets the field at a dotted path like `phases.0.posts.0.title`."""
    def change(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[int(last) if isinstance(target, list) else last] = value
    return change


LINKEDIN = body_limit("linkedin")
OVERSIZED = [
    ("phases.0.posts.0.title", "t" * (graph.TITLE_MAX + 1), "phases[0].posts[0].title"),
    ("phases.0.posts.0.title", "   ", "phases[0].posts[0].title"),
    ("phases.0.posts.0.key", "k" * (graph.KEY_MAX + 1), "phases[0].posts[0].key"),
    ("phases.0.posts.0.day", graph.DAY_MAX + 1, "phases[0].posts[0].day"),
    ("phases.0.posts.0.day", -1, "phases[0].posts[0].day"),
    ("phases.0.posts.0.day", True, "phases[0].posts[0].day"),
    ("phases.0.posts.0.brief", "b" * 5001, "phases[0].posts[0].brief"),
    ("phases.0.posts.0.channel", "telegraph", "phases[0].posts[0].channel"),
    ("phases.0.name", "n" * 121, "phases[0].name"),
    ("phases.0.goal", "g" * 5001, "phases[0].goal"),
    ("phases.0.number", "1", "phases[0].number"),
    ("phases.0.posts.0.variants.A.headline", "h" * (HEADLINE_MAX + 1), f"{FIRST_A}.headline"),
    ("phases.0.posts.0.variants.A.headline", "", f"{FIRST_A}.headline"),
    ("phases.0.posts.0.variants.A.body", "b" * (LINKEDIN + 1), f"{FIRST_A}.body"),
    ("phases.0.posts.0.variants.A.call_to_action", "c" * 5001, f"{FIRST_A}.call_to_action"),
    ("phases.0.posts.0.variants.A.image_prompt", "i" * 5001, f"{FIRST_A}.image_prompt"),
    ("phases.0.posts.0.variants.A.hashtags", [f"tag{n}" for n in range(HASHTAGS_MAX + 1)], f"{FIRST_A}.hashtags"),
    ("phases.0.posts.0.variants.A.hashtags", ["x" * 5001], f"{FIRST_A}.hashtags"),
    ("phases.0.posts.0.variants.A.hashtags", [["nested"]], f"{FIRST_A}.hashtags"),
    ("phases.0.posts.0.variants.A.provider", "p" * 21, f"{FIRST_A}.provider"),
    ("steps.0.feedback", "f" * 5001, "steps[0].feedback"),
    ("campaign.name", "n" * 121, "campaign.name"),
]


@pytest.mark.parametrize("path, value, field", OVERSIZED, ids=[f"{p}={str(v)[:12]}" for p, v, _ in OVERSIZED])
def test_text_beyond_the_products_limits_is_refused_naming_the_field(api, path, value, field):
    body = refused(api, changed(_set(path, value)), field)
    assert body["detail"][field]


def test_too_many_items_are_refused_before_each_is_read(api):
    refused(api, changed(lambda d: d.update(phases=d["phases"] * 3)), "phases")
    refused(api, changed(lambda d: d["phases"][0].update(posts=d["phases"][0]["posts"] * 50)), "phases[0].posts")
    refused(api, changed(lambda d: d.update(edges=d["edges"] * 100)), "edges")
    refused(api, changed(lambda d: d.update(steps=d["steps"] * 10)), "steps")


# --- step content and inputs --------------------------------------------------------------------

BAD_STEPS = [
    ("content", {"summary": "x", "competitors": "not a list"}, "steps[0].content.competitors"),
    ("content", {"summary": "x"}, "steps[0].content.competitors"),
    ("content", {**COMPETITORS, "extra": "field"}, "steps[0].content.extra"),
    ("content", {**COMPETITORS, "summary": "s" * 4001}, "steps[0].content.summary"),
    ("content", {"summary": "x", "competitors": [{**COMPETITORS["competitors"][0], "name": ""}]},
     "steps[0].content.competitors.0.name"),
    ("content", [], "steps[0].content"),
    ("inputs", {"notes": 5}, "steps[0].inputs.notes"),
    ("inputs", {"notes": "n" * 2001}, "steps[0].inputs.notes"),
    ("inputs", [], "steps[0].inputs"),
]


@pytest.mark.parametrize("name, value, field", BAD_STEPS, ids=[f for *_, f in BAD_STEPS])
def test_step_content_or_inputs_that_a_hand_edit_would_refuse_are_refused(api, name, value, field):
    refused(api, changed(lambda d: d["steps"][0].update({name: value})), field)


def test_costs_inputs_are_checked_like_the_step_form(api):
    step = {"kind": "costs", "content": copy.deepcopy(COSTS), "inputs": {"budget_cap": "-5", "currency": "EURO"},
            "feedback": "", "edited": True, "provider": "", "model": ""}
    body = refused(api, changed(lambda d: d["steps"].append(step)), "steps[1].inputs.currency")
    assert "steps[1].inputs.budget_cap" in body["detail"]


def test_a_valid_import_renders_its_pages_and_recomputes_cost_totals(api, auth_client):
    step = {"kind": "costs", "content": copy.deepcopy(COSTS), "inputs": {"budget_cap": "", "currency": ""},
            "feedback": "", "edited": True, "provider": "", "model": ""}
    status, body = import_(api, changed(lambda d: d["steps"].append(step)))
    assert status == 201, body
    campaign_id = int(body["id"])
    costs = StepVersion.query.filter_by(campaign_id=campaign_id, kind="costs").one().content
    assert (costs["grand_total"], costs["over_budget"], costs["budget"]) == ("380.00", False, "12000.00")
    for path in (f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/strategy"):
        response = auth_client.get(path)
        assert response.status_code == 200, path


def test_bad_step_content_leaves_the_campaigns_page_as_it_was(api, auth_client):
    page = auth_client.get("/").get_data(as_text=True)
    doc = changed(lambda d: d["steps"][0].update(content={"summary": "x", "competitors": [{"name": "Only"}]}))
    refused(api, doc, "steps[0].content.competitors.0.positioning")
    assert auth_client.get("/").get_data(as_text=True).count("/campaigns/") == page.count("/campaigns/")
