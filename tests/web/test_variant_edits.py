"""A variant's words fixed by hand and rolled back: Edit saves a new version and keeps the old one, an older
version can be made current again, and any change to an approved post's words takes its approval away and says
so, on the post page and on the board."""
from markupsafe import escape

import pytest

from gtm.extensions import db
from gtm.models import Post, Variant

from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

EDIT = {"headline": "Ship the launch on time", "body": "Fixed by hand.\n\n**Bold** stays Markdown.",
        "call_to_action": "Book a demo", "hashtags": "#launch, Teams  #b2b"}


@pytest.fixture
def post(campaign):  # noqa: F811 - the kit's written campaign
    return Post.query.filter_by(campaign_id=campaign.id, is_active=True, status="ready").order_by(Post.id).first()


def variants(post_id, label="A"):
    db.session.expire_all()
    return Variant.query.filter_by(post_id=post_id, label=label).order_by(Variant.number).all()


def url(campaign, post, tail=""):  # noqa: F811
    """The post page, or the address `tail` below it."""
    return f"/campaigns/{campaign.id}/posts/{post.id}" + (f"/{tail}" if tail else "")


def approve(client, campaign, post):  # noqa: F811
    assert client.post(url(campaign, post, "approve"), data={"approved": "1"}).status_code in (200, 303)
    db.session.expire_all()
    assert db.session.get(Post, post.id).approved


def test_the_edit_form_starts_from_the_current_words(auth_client, campaign, post):  # noqa: F811
    current = variants(post.id)[-1]
    page = auth_client.get(url(campaign, post, "variants/A/edit")).get_data(as_text=True)
    assert "Edit variant A" in page and f'name="based_on" value="{current.number}"' in page
    assert f'value="{escape(current.headline)}"' in page
    assert 'maxlength="' in page


def test_an_edit_is_a_new_current_version_and_the_old_one_is_kept(auth_client, campaign, post):  # noqa: F811
    before = variants(post.id)[-1]
    response = auth_client.post(url(campaign, post, "variants/A/edit"), data={**EDIT, "based_on": before.number})
    assert response.status_code == 303 and response.headers["Location"].endswith(url(campaign, post))
    found = variants(post.id)
    old, new = found[-2], found[-1]
    assert (old.id, old.headline, old.is_current) == (before.id, before.headline, False)
    assert new.is_current and new.edited and new.number == before.number + 1 and new.based_on == before.number
    assert (new.headline, new.call_to_action) == (EDIT["headline"], EDIT["call_to_action"])
    assert new.body == EDIT["body"] and new.hashtags == ["launch", "Teams", "b2b"]
    # The image and its prompt stay as they were; the model wrote nothing, so nothing was spent.
    assert (new.media_path, new.image_prompt) == (before.media_path, before.image_prompt)
    assert (new.provider, new.tokens_in, new.tokens_out) == ("", 0, 0)
    page = auth_client.get(url(campaign, post)).get_data(as_text=True)
    assert f"v{new.number} was edited by hand, starting from v{before.number}" in page
    assert EDIT["headline"] in page and "Copy the headline of variant A" in page


@pytest.mark.parametrize("field, value, message", [
    ("headline", "   ", "The headline cannot be empty."),
    ("headline", "x" * 201, "The headline has at most 200 characters (this has 201)."),
    ("call_to_action", "", "The call to action cannot be empty."),
    ("body", "y" * 70_000, "The body has at most"),
    ("hashtags", " ".join(f"#t{n}" for n in range(40)), "Use at most"),
])
def test_a_wrong_field_is_named_and_nothing_is_saved(htmx, campaign, post, field, value, message):  # noqa: F811
    before = [(v.id, v.number, v.is_current) for v in variants(post.id)]
    response = htmx.post(url(campaign, post, "variants/A/edit"), data={**EDIT, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and 'id="edit-variant-form"' in page
    assert 'aria-invalid="true"' in page
    assert [(v.id, v.number, v.is_current) for v in variants(post.id)] == before


def test_saving_the_same_words_says_nothing_changed(htmx, campaign, post):  # noqa: F811
    current = variants(post.id)[-1]
    same = {"headline": current.headline, "body": current.body, "call_to_action": current.call_to_action,
            "hashtags": " ".join(current.hashtags)}
    response = htmx.post(url(campaign, post, "variants/A/edit"), data=same)
    assert response.status_code == 422
    assert f"Nothing was changed: variant A is still v{current.number}" in response.get_data(as_text=True)
    assert len(variants(post.id)) == current.number


def test_an_edit_started_from_an_older_version_is_refused(htmx, campaign, post):  # noqa: F811
    current = variants(post.id)[-1]
    saved = htmx.post(url(campaign, post, "variants/A/edit"), data=EDIT)
    assert saved.status_code == 204 and saved.headers["HX-Redirect"].endswith(url(campaign, post))
    # The form was opened on the version that was current before: the second save would overwrite unseen work.
    response = htmx.post(url(campaign, post, "variants/A/edit"),
                         data={**EDIT, "headline": "Another", "based_on": current.number})
    assert response.status_code == 409
    assert f"changed while you were editing it: v{current.number + 1} is current now" in response.get_data(as_text=True)
    assert [v.headline for v in variants(post.id)][-1] == EDIT["headline"]


def test_an_older_version_can_be_made_current_again(auth_client, campaign, post):  # noqa: F811
    first = variants(post.id)[-1]
    auth_client.post(url(campaign, post, "variants/A/edit"), data=EDIT)
    page = auth_client.get(url(campaign, post) + f"?A={first.number}").get_data(as_text=True)
    assert f"Make v{first.number} current" in page and "Older version" in page
    response = auth_client.post(url(campaign, post, f"variants/A/versions/{first.number}/current"))
    assert response.status_code == 303
    found = variants(post.id)
    assert [v.is_current for v in found] == [v.number == first.number for v in found]
    assert len(found) == first.number + 1  # nothing deleted, nothing added
    # The current version's page offers Edit, and no Make current.
    page = auth_client.get(url(campaign, post)).get_data(as_text=True)
    assert "Make v" not in page and "Edit variant A" in page


@pytest.mark.parametrize("tail, status", [
    ("variants/A/versions/99/current", 404), ("variants/C/versions/1/current", 404), ("variants/C/edit", 404)])
def test_unknown_versions_and_labels_are_not_found(auth_client, campaign, post, tail, status):  # noqa: F811
    before = [(v.id, v.is_current) for v in variants(post.id)]
    assert auth_client.post(url(campaign, post, tail), data=EDIT).status_code == status
    assert [(v.id, v.is_current) for v in variants(post.id)] == before


@pytest.mark.parametrize("change", ["edit", "make current"])
def test_changing_an_approved_post_takes_the_approval_away_and_says_so(auth_client, campaign, post, change):  # noqa: F811
    first = variants(post.id)[-1]
    if change == "make current":
        auth_client.post(url(campaign, post, "variants/A/edit"), data=EDIT)
    approve(auth_client, campaign, post)
    if change == "edit":
        auth_client.post(url(campaign, post, "variants/A/edit"), data=EDIT)
        said = f"Variant A was edited by hand as v{first.number + 1} after the post was approved"
    else:
        auth_client.post(url(campaign, post, f"variants/A/versions/{first.number}/current"))
        said = f"Variant A v{first.number} was made current again after the post was approved"
    db.session.expire_all()
    changed = db.session.get(Post, post.id)
    assert not changed.approved and changed.approved_at is None and said in changed.approval_note
    page = auth_client.get(url(campaign, post)).get_data(as_text=True)
    assert said in page and "✓ Approved" not in page and ">Approve<" in page
    board = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Changed since approval" in board
    # Approving again clears the note.
    approve(auth_client, campaign, post)
    assert db.session.get(Post, post.id).approval_note == ""
    assert "Changed since approval" not in auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)


def test_a_rewritten_variant_takes_the_approval_away(auth_client, campaign, post, work):  # noqa: F811
    approve(auth_client, campaign, post)
    auth_client.post(url(campaign, post, "variants/B/regenerate"), data={"feedback": "Shorter"})
    work()
    db.session.expire_all()
    changed = db.session.get(Post, post.id)
    newest = variants(post.id, "B")[-1]
    assert not changed.approved
    assert f"Variant B was rewritten as v{newest.number} after the post was approved" in changed.approval_note


def test_an_unapproved_post_has_no_note_after_a_change(auth_client, campaign, post):  # noqa: F811
    auth_client.post(url(campaign, post, "variants/A/edit"), data=EDIT)
    db.session.expire_all()
    assert db.session.get(Post, post.id).approval_note == ""


def test_archived_posts_cannot_be_edited(auth_client, campaign, post):  # noqa: F811
    post.is_active = False
    db.session.commit()
    before = [(v.id, v.is_current) for v in variants(post.id)]
    response = auth_client.post(url(campaign, post, "variants/A/edit"), data=EDIT)
    assert response.status_code == 409
    assert [(v.id, v.is_current) for v in variants(post.id)] == before
    page = auth_client.get(url(campaign, post)).get_data(as_text=True)
    assert "Edit variant A" not in page
