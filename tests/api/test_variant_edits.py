"""The API's variants: read a variant's versions, save hand-edited words as a new version, make an older one
current again; a change to an approved post takes its approval away, and /nodes says why."""
import pytest

from gtm.extensions import db
from gtm.models import Post, Variant

from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

WORDS = {"headline": "Fixed by hand", "body": "New body", "call_to_action": "Try it", "hashtags": ["#spring", "b2b"]}


@pytest.fixture
def base(campaign):  # noqa: F811 - the kit's written campaign
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True, status="ready").order_by(Post.id).first()
    return f"/api/campaigns/{campaign.id}/posts/{post.id}/variants/A", post


def test_read_edit_and_make_current(api, campaign, base):  # noqa: F811
    url, post = base
    status, found = api.get(url)
    assert status == 200 and found["label"] == "A" and [v["number"] for v in found["versions"]] == [1]
    first = found["versions"][0]
    stored = Variant.query.filter_by(post_id=post.id, label="A").one()
    assert first["current"] and not first["edited"] and first["has_image"] is bool(stored.media_path)

    status, made = api.post(f"{url}/versions", json={**WORDS, "based_on": 1})
    assert status == 201
    assert (made["number"], made["current"], made["edited"], made["based_on"]) == (2, True, True, 1)
    assert made["hashtags"] == ["spring", "b2b"] and made["image_prompt"] == first["image_prompt"]
    assert made["has_image"] is first["has_image"], "the edit keeps the image"
    assert made["tokens"] == {"in": 0, "out": 0} and made["provider"] is None

    status, back = api.post(f"{url}/versions/1/make-current")
    assert status == 200 and back["number"] == 1 and back["current"]
    assert [v["current"] for v in api.get(url)[1]["versions"]] == [True, False]


@pytest.mark.parametrize("body, status, field", [
    ({**WORDS, "headline": ""}, 422, "headline"),
    ({**WORDS, "headline": 5}, 422, "headline"),
    ({**WORDS, "call_to_action": "x" * 301}, 422, "call_to_action"),
    ({**WORDS, "hashtags": ["x" * 101]}, 422, "hashtags"),
    ({**WORDS, "hashtags": 7}, 422, "hashtags"),
    ({k: v for k, v in WORDS.items() if k != "body"}, 422, "body"),
    ({**WORDS, "based_on": 9}, 409, None),
])
def test_wrong_edits_are_refused_and_change_nothing(api, base, body, status, field):
    url, post = base
    got, answer = api.post(f"{url}/versions", json=body)
    assert got == status, answer
    if field:
        assert field in answer["detail"], answer
    else:
        assert "changed while you were editing it" in answer["error"]
    db.session.expire_all()
    assert Variant.query.filter_by(post_id=post.id, label="A").count() == 1


@pytest.mark.parametrize("tail", ["versions/7/make-current", "versions/0/make-current"])
def test_unknown_versions_are_404(api, base, tail):
    url, _ = base
    assert api.post(f"{url}/{tail}")[0] == 404


def test_unknown_labels_are_404(api, base):
    url, _ = base
    assert api.get(url[:-1] + "C")[0] == 404
    assert api.post(url[:-1] + "C/versions", json=WORDS)[0] == 404


def test_an_edit_of_an_approved_post_takes_the_approval_away(api, campaign, base):  # noqa: F811
    url, post = base
    api.post(f"/api/campaigns/{campaign.id}/approve-all")
    api.post(f"{url}/versions", json=WORDS)
    nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")[1]
    node = next(p for phase in nodes["phases"] for p in phase["posts"] if p["id"] == str(post.id))
    assert node["approved"] is False and "Variant A was edited by hand as v2" in node["approval_note"]
    others = [p for phase in nodes["phases"] for p in phase["posts"] if p["id"] != str(post.id)]
    assert all(p["approved"] and p["approval_note"] is None for p in others)
