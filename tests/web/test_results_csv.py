"""The results page's CSV upload keeps recorded numbers safe: empty template rows are skipped and counted, a
row that would replace recorded numbers is marked with the old and new ones and saved only when confirmed, and
dates that read two ways are settled by a choice on the form."""
import html
import re
from datetime import date, timedelta

from gtm.services import results

from tests.kit.pages import check_page
from tests.kit.results import DAY, first_post, stored, upload
from tests.kit.written import campaign, planned  # noqa: F401  (fixtures)


def hidden_csv(text: str) -> str:
    """The file's text the preview keeps in its form, as a browser sends it back."""
    return html.unescape(re.search(r'<textarea name="csv" hidden>(.*?)</textarea>', text, re.S).group(1))


def confirm(client, campaign, csv: str, **fields):
    return client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": csv, **fields})


def test_the_upload_form_shows_the_real_key_format_and_the_date_order_choice(auth_client, campaign, planned):
    url = f"/campaigns/{campaign.id}/results"
    response = auth_client.get(url)
    check_page(url, response)
    text = response.get_data(as_text=True)
    form = text[text.index("upload-form"):]
    assert "like p2-a" in form and "p2-1" not in form
    assert "Dec 4, 2026" in form and "the template's title, are ignored" in form
    assert 'name="day_order" value="day-first"' in form and 'name="day_order" value="month-first"' in form


def test_a_filled_template_row_is_saved_and_the_empty_ones_are_skipped_and_counted(auth_client, campaign, planned):
    template = auth_client.get(f"/campaigns/{campaign.id}/results/template.csv").get_data(as_text=True)
    lines = template.splitlines()
    lines[1] = lines[1].removesuffix(",,,,") + ",1500,45,6,12.50"
    response = upload(auth_client, campaign, "\n".join(lines).encode())
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "The 1 row is ready. Nothing is saved until you confirm." in text
    assert f"Skipped {len(lines) - 2} rows without numbers" in text and "Ignored columns" not in text
    assert confirm(auth_client, campaign, hidden_csv(text)).status_code == 303
    assert [row[2:] for row in stored()] == [(lines[1].split(",")[3], 1500, 45, 6, "12.50")]


def test_numbers_already_recorded_are_replaced_only_when_confirmed(auth_client, campaign, planned):
    post = first_post(planned)
    auth_client.post(f"/campaigns/{campaign.id}/posts/{post['id']}/metrics", data={
        "variant": "A", "date": DAY, "impressions": "1500", "clicks": "45", "conversions": "6", "spend": "30"})
    before = stored()
    assert [row[3:] for row in before] == [(1500, 45, 6, "30.00")]
    data = f"post,variant,date,impressions,clicks,conversions,spend\n{post['key']},A,{DAY},0,0,0,0\n".encode()
    response = upload(auth_client, campaign, data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "1 day of them\n    is already recorded with other numbers" in text
    row = re.search(r'<tr class="is-replacing">(.*?)</tr>', text, re.S).group(1)
    for old in ("1,500", "45", "6", "30.00"):
        assert f'<del title="Recorded now">{old}</del> → ' in row
    assert '<input type="checkbox" name="replace" value="1"> Replace 1 day already recorded' in text

    # Saved without ticking the box: nothing changes, and the page says why with the rows marked again.
    refused = confirm(auth_client, campaign, hidden_csv(text))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "1 day of this file is already recorded with other numbers; nothing was recorded." in page
    assert 'class="is-replacing"' in page and stored() == before
    # A count that is not the file's (a day recorded since the preview) is refused the same way.
    assert confirm(auth_client, campaign, hidden_csv(text), replace="2").status_code == 422 and stored() == before

    assert confirm(auth_client, campaign, hidden_csv(text), replace="1").status_code == 303
    assert [row[3:] for row in stored()] == [(0, 0, 0, "0.00")]


def test_dates_that_read_two_ways_are_settled_by_a_choice_never_guessed(auth_client, campaign, planned):
    key = first_post(planned)["key"]
    day = (date.today() - timedelta(days=50)).replace(day=3)
    data = (f"post,variant,date,impressions,clicks\n{key},A,{day.strftime('%m/%d/%Y')},100,5\n"
            f"{key},B,{day.isoformat()},100,5\n").encode()
    response = upload(auth_client, campaign, data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Line 2\n        has a date that read two ways" in text
    assert "can be read day first or month first" in text and 'name="replace"' not in text
    assert stored() == []

    # Chosen in the preview: the file is checked again from its kept text, and read month first.
    again = auth_client.post(f"/campaigns/{campaign.id}/results/upload",
                             data={"csv": hidden_csv(text), "name": "export.csv", "day_order": "month-first"})
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "read month first (12/31/2026), as you chose" in page
    assert '<input type="hidden" name="day_order" value="month-first">' in page
    assert confirm(auth_client, campaign, hidden_csv(page), day_order="month-first").status_code == 303
    assert {row[2] for row in stored()} == {day.isoformat()}


def test_an_unknown_date_order_is_refused_and_nothing_is_saved(auth_client, campaign, planned):
    key = first_post(planned)["key"]
    data = f"post,variant,date,impressions,clicks\n{key},A,{DAY},100,5\n"
    response = auth_client.post(f"/campaigns/{campaign.id}/results/upload",
                                data={"csv": data, "day_order": "sideways"})
    assert response.status_code == 422
    assert "Choose whether dates are written day first or month first." in response.get_data(as_text=True)
    response = confirm(auth_client, campaign, data, day_order="sideways")
    assert response.status_code == 422 and stored() == []
    assert results.DAY_FIRST in results.DAY_ORDERS
