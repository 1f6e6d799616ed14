"""The board's "Add phases" opens the regeneration dialog titled for what it does: "Add phases after phase N"
with an "Add phases" button; choosing an earlier phase in it makes it "Regenerate the strategy" again."""
import re

from gtm.models import Phase

from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


def heading_and_button(text: str) -> tuple[str, str]:
    heading = re.search(r'<span id="regenerate-heading"[^>]*>(.*?)</span>', text, re.S).group(1)
    button = re.search(r'<span id="regenerate-submit"[^>]*>(.*?)</span>', text, re.S).group(1)
    return heading, button


def test_add_phases_is_titled_for_adding_phases(htmx, campaign):
    last = Phase.query.filter_by(campaign_id=campaign.id, version=1).count()
    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    link = re.search(r'hx-get="([^"]+)"[^>]*>Add phases</a>', board).group(1).replace("&amp;", "&")
    assert link.endswith(f"phase_num={last + 1}")

    dialog = htmx.get(link).get_data(as_text=True)
    assert heading_and_button(dialog) == (f"Add phases after phase {last}", "Add phases")
    assert "Regenerate from phase" not in dialog and f"Regenerate from phase {last + 1}" not in dialog
    assert f"new phases\n  are planned after phase {last}" in dialog

    # An earlier phase chosen in the dialog: the preview brings the heading and the button along.
    preview = htmx.get(f"/campaigns/{campaign.id}/strategy/regenerate/preview?phase_num=2").get_data(as_text=True)
    assert re.search(r'<span id="regenerate-heading" hx-swap-oob="true">Regenerate the strategy</span>', preview)
    assert re.search(r'<span id="regenerate-submit" hx-swap-oob="true">Regenerate</span>', preview)
    back = htmx.get(f"/campaigns/{campaign.id}/strategy/regenerate/preview?phase_num={last + 1}").get_data(as_text=True)
    assert f'hx-swap-oob="true">Add phases after phase {last}</span>' in back


def test_the_page_without_scripts_says_the_same(auth_client, campaign):
    last = Phase.query.filter_by(campaign_id=campaign.id, version=1).count()
    page = auth_client.get(f"/campaigns/{campaign.id}/strategy/regenerate?phase_num={last + 1}").get_data(as_text=True)
    assert heading_and_button(page) == (f"Add phases after phase {last}", "Add phases")
    assert f"<title>Add phases · " in page
    assert "hx-swap-oob" not in page
    earlier = auth_client.get(f"/campaigns/{campaign.id}/strategy/regenerate?phase_num=2").get_data(as_text=True)
    assert heading_and_button(earlier) == ("Regenerate the strategy", "Regenerate")
