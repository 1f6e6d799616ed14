"""The CSV upload never overwrites numbers unasked: rows without numbers are skipped, rows that would replace
recorded numbers are marked with the old ones and saved only when that many are confirmed, and dates are read
in the forms platforms export, with the order of day and month never guessed."""
from datetime import date, timedelta

import pytest

from gtm.services import results
from gtm.services.errors import Invalid
from gtm.services.results import dates

from tests.kit.results import DAY, EARLIER, stored
from tests.kit.written import campaign, planned  # noqa: F401  (fixtures)

HEADER = "post,title,variant,date,impressions,clicks,conversions,spend\n"


def keys(planned) -> list[str]:
    return [post["key"] for phase in planned["phases"] for post in phase["posts"]]


def test_the_template_as_downloaded_records_nothing_and_says_why(planned, campaign):
    _, text = results.csv_template(campaign.workspace_id, campaign.id)
    found = results.preview_csv(campaign.workspace_id, campaign.id, text)
    assert "None of the" in found.problem and "has numbers" in found.problem and not found.ok
    with pytest.raises(Invalid) as refused:
        results.import_csv(campaign.workspace_id, campaign.id, text)
    assert "nothing to record" in refused.value.fields["file"]
    assert stored() == []


def test_a_template_with_one_row_filled_saves_that_row_and_skips_the_empty_ones(planned, campaign):
    _, text = results.csv_template(campaign.workspace_id, campaign.id)
    lines = text.splitlines()
    lines[1] = lines[1].removesuffix(",,,,") + ",1500,45,6,12.50"
    found = results.preview_csv(campaign.workspace_id, campaign.id, "\n".join(lines))
    assert found.ok and len(found.rows) == 1 and found.rows[0].line == 2
    assert found.skipped == list(range(3, len(lines) + 1))
    # The template's title column is the template's own: it is not reported as an unknown column.
    assert found.ignored_columns == []
    assert results.import_csv(campaign.workspace_id, campaign.id, "\n".join(lines)) == 1
    assert [row[1:] for row in stored()][0][2:] == (1500, 45, 6, "12.50")


def test_a_row_that_would_replace_recorded_numbers_is_marked_and_needs_confirming(planned, campaign):
    post = planned["phases"][0]["posts"][0]
    results.record_metrics(campaign.workspace_id, campaign.id, [
        {"post_id": post["id"], "variant": "A", "date": DAY, "impressions": 1500, "clicks": 45, "conversions": 6},
        {"post_id": post["id"], "variant": "B", "date": DAY, "impressions": 900, "clicks": 9, "conversions": 1}])
    before = stored()
    text = (HEADER + f"{post['key']},,A,{DAY},0,0,0,0\n"  # zeros over 1,500 impressions
            f"{post['key']},,B,{DAY},900,9,1,0.00\n"  # the same numbers again: nothing replaced
            f"{post['key']},,A,{EARLIER},100,5,1,1.00\n")  # a new day
    found = results.preview_csv(campaign.workspace_id, campaign.id, text)
    assert found.ok and found.unchanged == 1
    assert [(row.line, row.old.impressions, row.old.clicks, row.old.conversions) for row in found.replacing] == [
        (2, 1500, 45, 6)]
    for replace in (0, 2):
        with pytest.raises(Invalid) as refused:
            results.import_csv(campaign.workspace_id, campaign.id, text, replace=replace)
        assert "Replace 1 day already recorded" in refused.value.fields["replace"]
        assert "nothing was recorded" in refused.value.fields["replace"]
        assert stored() == before
    assert results.import_csv(campaign.workspace_id, campaign.id, text, replace=1) == 3
    assert [row[1:6] for row in stored()] == [("A", EARLIER, 100, 5, 1), ("A", DAY, 0, 0, 0), ("B", DAY, 900, 9, 1)]


@pytest.mark.parametrize("text, order, day", [
    ("2026-12-04", None, date(2026, 12, 4)),
    ("12/04/2026", dates.MONTH_FIRST, date(2026, 12, 4)),
    ("12/04/2026", dates.DAY_FIRST, date(2026, 4, 12)),
    ("04.12.2026", dates.DAY_FIRST, date(2026, 12, 4)),
    ("25/04/2026", None, date(2026, 4, 25)),
    ("04/25/2026", None, date(2026, 4, 25)),
    ("05/05/2026", None, date(2026, 5, 5)),
    ("Dec 4, 2026", None, date(2026, 12, 4)),
    ("December 4 2026", None, date(2026, 12, 4)),
    ("4 Dec 2026", None, date(2026, 12, 4)),
    ("4-Dec-2026", None, date(2026, 12, 4)),
    ("Sept 3, 2026", None, date(2026, 9, 3)),
])
def test_dates_in_the_forms_platforms_export_are_read(text, order, day):
    assert dates.read(text, order) == dates.Read(day=day)


@pytest.mark.parametrize("text, order, words", [
    ("04/05/2026", None, "can be read day first or month first"),
    ("04.12.2026", None, "can be read day first or month first"),
    ("25/04/2026", dates.MONTH_FIRST, "is not a date read month first"),
    ("31/02/2026", dates.DAY_FIRST, "is not a date on the calendar"),
    ("Foo 4, 2026", None, "“Foo” is not a month"),
    ("4/5/26", dates.DAY_FIRST, "Write the date as YYYY-MM-DD"),
    ("yesterday", None, "Write the date as YYYY-MM-DD"),
])
def test_a_date_that_cannot_be_read_says_why(text, order, words):
    read = dates.read(text, order)
    assert read.day is None and words in read.problem
    assert read.ambiguous == ("read day first or month first" in words)


def test_a_file_whose_dates_read_two_ways_asks_for_the_order_naming_the_rows(planned, campaign):
    key = keys(planned)[0]
    day = date.today() - timedelta(days=40)
    # Both numbers of this day are 12 or under, so the file says nothing of its order.
    day = day.replace(day=1 if day.month != 1 else 2)
    month_first, day_first = day.strftime("%m/%d/%Y"), day.strftime("%d/%m/%Y")
    named = f"{day.strftime('%b')} {day.day}, {day.year}"  # quoted in the file for its comma
    text = HEADER + f'{key},,A,{month_first},100,5,1,1.00\n{key},,B,"{named}",100,5,1,1.00\n'
    found = results.preview_csv(campaign.workspace_id, campaign.id, text)
    assert not found.ok and found.ambiguous == [2] and list(found.rows[0].errors) == ["date"]
    with pytest.raises(Invalid):
        results.import_csv(campaign.workspace_id, campaign.id, text)
    assert stored() == []
    chosen = results.preview_csv(campaign.workspace_id, campaign.id, text, dates.MONTH_FIRST)
    assert chosen.ok and {row.row.day for row in chosen.rows} == {day}
    swapped = text.replace(month_first, day_first)
    assert {row.row.day for row in results.preview_csv(campaign.workspace_id, campaign.id, swapped,
                                                       dates.DAY_FIRST).rows} == {day}
    assert results.import_csv(campaign.workspace_id, campaign.id, text, order=dates.MONTH_FIRST) == 2


def test_a_file_shows_its_own_order_by_a_day_over_12_and_may_not_mix_orders(planned, campaign):
    key = keys(planned)[0]
    base = date.today() - timedelta(days=60)
    late = base.replace(day=25)  # a day over 12: read day first whatever the rest
    early = base.replace(day=3)
    text = HEADER + f"{key},,A,{late.strftime('%d/%m/%Y')},100,5,1,1\n{key},,B,{early.strftime('%d/%m/%Y')},100,5,1,1\n"
    found = results.preview_csv(campaign.workspace_id, campaign.id, text)
    assert found.ok and found.order == dates.DAY_FIRST and found.order_line == 2
    assert [row.row.day for row in found.rows] == [late, early]
    mixed = text + f"{key},,B,{late.strftime('%m/%d/%Y')},100,5,1,1\n"
    found = results.preview_csv(campaign.workspace_id, campaign.id, mixed)
    assert "two orders: line 2 day first, line 4 month first" in found.problem
    with pytest.raises(Invalid) as refused:
        results.preview_csv(campaign.workspace_id, campaign.id, text, "sideways")
    assert refused.value.fields == {"day_order": "Choose whether dates are written day first or month first."}


def test_the_api_keeps_to_iso_dates(planned, campaign):
    post = planned["phases"][0]["posts"][0]
    with pytest.raises(Invalid) as refused:
        results.record_metrics(campaign.workspace_id, campaign.id, [
            {"post_id": post["id"], "variant": "A", "date": "Dec 4, 2025", "impressions": 1, "clicks": 0}])
    assert "YYYY-MM-DD" in refused.value.fields["metrics.0.date"]
