"""The run page: a run's progress, the text arriving from the model while it works, and its outcome."""
import re

from gtm import broker
from gtm.models import Run


def test_run_page_shows_live_text_as_whole_lines(auth_client, campaign, work):
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    run = Run.query.filter_by(subject="competitors").one()
    # Part of a JSON answer, as the model streams it: the page shows its values, one per line.
    broker.live_text.append(run.id, '{"summary": "Owners compare us with doing nothing.", '
                                    '"competitors": [{"name": "Flora')

    html = auth_client.get(f"/runs/{run.id}").get_data(as_text=True)
    preview = html.split('class="live-preview"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r"<p>(.*?)</p>", preview) == ["Owners compare us with doing nothing.", "Flora"], preview

    work()
    assert "live-preview" not in auth_client.get(f"/runs/{run.id}").get_data(as_text=True)
