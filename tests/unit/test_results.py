"""Results services: the A/B test against worked examples, rows checked and upserted, the CSV read,
totals per phase, post and version, winners for prompts, and triggers judged and fired once."""
import csv
import io
import math
from datetime import date, timedelta
from decimal import Decimal

import pytest

from gtm.extensions import db
from gtm.models import Alert, Post, Trigger
from gtm.services import results
from gtm.services.errors import Conflict, Invalid, NotFound
from gtm.services.results import metrics as metric_rows
from gtm.services.results.stats import MIN_CLICKS, MIN_IMPRESSIONS, ab_test, two_proportion
from gtm.services.results.totals import Totals
from gtm.services.results.judging import check_campaign
from gtm.services.results.rules import describe_trigger
from gtm.services.results.triggers import trigger_standings

from tests.kit.campaigns import CAMPAIGN
from tests.kit.results import DAY, EARLIER, stored
from tests.kit.written import campaign, planned, written_export  # noqa: F401  (fixtures)



# --- The A/B test ---------------------------------------------------------------------------------

def test_the_two_proportion_test_matches_a_worked_example():
    # A textbook example worked by hand: 140 of 200 against 255 of 340.
    # Pooled p = 395 / 540 = 0.7314815; SE = sqrt(p (1 - p) (1/200 + 1/340)) = 0.0394940;
    # z = (0.7 - 0.75) / SE = -1.266015; one-sided p = 0.102754, so two-sided p = 0.205508.
    z, p_value = two_proportion(140, 200, 255, 340)
    assert z == pytest.approx(-1.266015, abs=1e-6)
    assert p_value == pytest.approx(0.205508, abs=1e-6)
    # The statistic is antisymmetric, and the p-value is the same either way round.
    z_back, p_back = two_proportion(255, 340, 140, 200)
    assert z_back == pytest.approx(1.266015, abs=1e-6) and p_back == pytest.approx(p_value)


def test_the_test_matches_the_normal_tail_at_known_points():
    # With the pooled SE fixed, z = 1.959964 must give the familiar two-sided 0.05.
    # 600/1000 against 557.1/1000 is not whole, so check the tail function on z itself instead:
    for z, tail in ((1.959964, 0.05), (2.575829, 0.01), (1.644854, 0.10)):
        assert math.erfc(z / math.sqrt(2)) == pytest.approx(tail, abs=1e-6)
    assert two_proportion(0, 1000, 0, 1000) == (0.0, 1.0)
    with pytest.raises(ValueError):
        two_proportion(1, 0, 1, 10)


def test_an_ab_result_reads_as_a_marketer_expects():
    a = Totals(impressions=3000, clicks=42)
    b = Totals(impressions=3000, clicks=63)
    found = ab_test("ctr", a, b)
    assert found.leader == "B" and found.enough
    assert found.sentence == "B leads on CTR, 2.1% vs 1.4%, 96% confidence."
    # Below 95% no leader is named, and the sentence says what is needed.
    close = ab_test("ctr", Totals(impressions=3000, clicks=42), Totals(impressions=3000, clicks=52))
    assert close.leader is None
    assert close.sentence.startswith("No clear winner on CTR yet: B 1.7% vs 1.4%,") and "(95% needed)" in close.sentence
    # Below the minimum sample: not enough data yet, with the counts.
    small = ab_test("ctr", Totals(impressions=MIN_IMPRESSIONS - 1, clicks=90), Totals(impressions=5000, clicks=10))
    assert small.leader is None and not small.enough
    assert small.sentence == (f"Not enough data yet for CTR: it needs {MIN_IMPRESSIONS:,} impressions per variant "
                              f"(A has {MIN_IMPRESSIONS - 1:,}, B has 5,000).")
    conversions = ab_test("conversion_rate", Totals(impressions=9000, clicks=MIN_CLICKS, conversions=5),
                          Totals(impressions=9000, clicks=MIN_CLICKS, conversions=5))
    assert conversions.sentence == "A and B are level on conversion rate, 5.0% each."


# --- Rows in --------------------------------------------------------------------------------------

@pytest.fixture
def bare_campaign(user):
    from gtm.services import campaigns as campaign_service

    return campaign_service.create_campaign(user.workspace_id, CAMPAIGN)


def row(post_id, variant="A", day=DAY, impressions=1000, clicks=20, conversions=2, spend="10.00"):
    return {"post_id": str(post_id), "variant": variant, "date": day, "impressions": impressions, "clicks": clicks,
            "conversions": conversions, "spend": spend}


def test_sending_the_same_post_variant_and_day_again_updates_the_row(planned, campaign):
    post_id = planned["phases"][0]["posts"][0]["id"]
    assert results.record_metrics(campaign.workspace_id, campaign.id, [row(post_id), row(post_id, "B")]) == 2
    assert results.record_metrics(campaign.workspace_id, campaign.id, [row(post_id, impressions=1500, clicks=30)]) == 1
    assert stored() == [(int(post_id), "A", DAY, 1500, 30, 2, "10.00"), (int(post_id), "B", DAY, 1000, 20, 2, "10.00")]


@pytest.mark.parametrize("change, field, words", [
    ({"impressions": -1}, "impressions", "cannot be negative"),
    ({"impressions": "-5"}, "impressions", "cannot be negative"),
    ({"clicks": 1001}, "clicks", "Clicks (1,001) cannot be more than impressions (1,000)."),
    ({"conversions": 21}, "conversions", "Conversions (21) cannot be more than clicks (20)."),
    ({"spend": "-3"}, "spend", "cannot be negative"),
    ({"spend": "1.234"}, "spend", "at most 2 decimals"),
    ({"variant": "C"}, "variant", "A or B"),
    ({"date": "21/11/2026"}, "date", "YYYY-MM-DD"),
    ({"date": "2026-02-30"}, "date", "not a date on the calendar"),
    ({"date": (date.today() + timedelta(days=3)).isoformat()}, "date", "in the future"),
    ({"post_id": "999999"}, "post_id", "no post"),
    ({"impressions": 2.5}, "impressions", "whole number"),
    ({"impressions": True}, "impressions", "whole number"),
])
def test_a_bad_row_is_refused_by_field_and_nothing_is_recorded(planned, campaign, change, field, words):
    post_id = planned["phases"][0]["posts"][0]["id"]
    results.record_metrics(campaign.workspace_id, campaign.id, [row(post_id, day=EARLIER)])
    before = stored()
    batch = [row(post_id, "B"), {**row(post_id), **change}]
    with pytest.raises(Invalid) as refused:
        results.record_metrics(campaign.workspace_id, campaign.id, batch)
    assert words in refused.value.fields[f"metrics.1.{field}"]
    assert "metrics.0.variant" not in refused.value.fields
    assert stored() == before


def test_posts_of_another_campaign_and_repeated_rows_are_refused(planned, campaign, user, api, work):
    from gtm.services import imports

    other = imports.import_campaign(campaign.workspace_id, written_export())
    foreign = Post.query.filter_by(campaign_id=other.id).first()
    mine = planned["phases"][0]["posts"][0]["id"]
    with pytest.raises(Invalid) as refused:
        results.record_metrics(campaign.workspace_id, campaign.id, [row(foreign.id)])
    assert refused.value.fields == {"metrics.0.post_id": f"This campaign has no post “{foreign.id}”."}
    with pytest.raises(Invalid) as repeated:
        results.record_metrics(campaign.workspace_id, campaign.id, [row(mine), row(mine, impressions=5000)])
    assert "Repeats the post, variant and date of row 1" in repeated.value.fields["metrics.1.row"]
    assert stored() == []
    with pytest.raises(NotFound):
        results.record_metrics(campaign.workspace_id + 999, campaign.id, [row(mine)])


def test_archived_posts_take_metrics(planned, campaign, api, work):
    first = planned["phases"][1]["posts"][0]
    status, _ = api.post("/api/agents/regenerate-strategy/", json={
        "campaign_id": str(campaign.id), "phase_num": 2, "new_direction": "Developers first"})
    assert status == 202
    work()
    assert not db.session.get(Post, int(first["id"])).is_active
    results.record_metrics(campaign.workspace_id, campaign.id, [row(first["id"])])
    found = results.campaign_results(campaign.workspace_id, campaign.id)
    assert [r.post.id for r in found.archived] == [int(first["id"])]
    # Version 1 counts the archived post; version 2 (current) does not have it.
    by_number = {v.number: v for v in found.versions}
    assert by_number[1].totals.impressions == 1000 and by_number[2].totals.impressions == 0
    assert by_number[2].is_current and by_number[2].new_posts > 0


# --- CSV ------------------------------------------------------------------------------------------

def test_a_csv_is_previewed_by_line_and_saved_all_or_nothing(planned, campaign):
    key = planned["phases"][0]["posts"][0]["key"]
    other = planned["phases"][1]["posts"][0]["key"]
    text = ("Post Key;Variant;Day;Impressions;Clicks;Conversions;Cost;Notes\n"
            f"{key};a;{DAY};1.200;10;1;3.50;x\n"
            "\n"
            f"{other};B;{DAY};1,200;10;1;3.50;y\n")
    found = results.preview_csv(campaign.workspace_id, campaign.id, text.encode())
    # Semicolons (a European spreadsheet), aliases, a blank line and an unknown column.
    assert not found.problem and found.ignored_columns == ["Notes"]
    assert [r.line for r in found.rows] == [2, 4]
    assert found.rows[0].errors == {"impressions": "Impressions must be a whole number, 0 or more (not “1.200”)."}
    assert found.rows[1].errors == {} and found.rows[1].post.key == other
    with pytest.raises(Invalid):
        results.import_csv(campaign.workspace_id, campaign.id, text.encode())
    assert stored() == []
    good = text.replace("1.200", "1200")
    assert results.import_csv(campaign.workspace_id, campaign.id, good.encode()) == 2
    assert [m[1:] for m in stored()] == [("A", DAY, 1200, 10, 1, "3.50"), ("B", DAY, 1200, 10, 1, "3.50")]


@pytest.mark.parametrize("text, problem", [
    ("", "The file is empty"),
    ("post,variant,date\n", "impressions, clicks are missing"),
    ("post,variant,date,impressions,clicks\n", "no rows of numbers"),
])
def test_a_csv_file_that_cannot_be_read_says_why(planned, campaign, text, problem):
    found = results.preview_csv(campaign.workspace_id, campaign.id, text.encode())
    assert problem in found.problem and not found.ok
    with pytest.raises(Invalid):
        results.import_csv(campaign.workspace_id, campaign.id, text.encode())
    assert stored() == []


def test_a_csv_over_the_limit_or_not_utf8_is_refused(planned, campaign):
    with pytest.raises(metric_rows.TooLarge) as large:
        results.preview_csv(campaign.workspace_id, campaign.id, b"x" * (results.CSV_MAX_BYTES + 1))
    assert results.CSV_MAX_TEXT in large.value.message and large.value.status == 413
    with pytest.raises(Invalid) as latin:
        results.preview_csv(campaign.workspace_id, campaign.id, "post,variant\nCafé,A\n".encode("latin-1"))
    assert "UTF-8" in latin.value.fields["file"]


def test_the_template_lists_every_current_post_and_variant_with_its_title_and_no_numbers(planned, campaign):
    name, text = results.csv_template(campaign.workspace_id, campaign.id)
    lines = text.splitlines()
    assert lines[0] == "post,title,variant,date,impressions,clicks,conversions,spend" and name.endswith(".csv")
    posts = [p for phase in planned["phases"] for p in phase["posts"]]
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [row[:3] for row in rows] == [[p["key"], p["title"], v] for p in posts for v in ("A", "B")]
    # The numbers are left empty: a row left so is skipped, never saved as zeros.
    assert {tuple(row[4:]) for row in rows} == {("", "", "", "")}


# --- Totals and winners ---------------------------------------------------------------------------

def test_totals_per_phase_post_and_day_and_the_rates(planned, campaign):
    one, two = planned["phases"][0]["posts"][0]["id"], planned["phases"][1]["posts"][0]["id"]
    results.record_metrics(campaign.workspace_id, campaign.id, [
        row(one, "A", DAY, 1000, 10, 1, "5.00"), row(one, "B", DAY, 1000, 30, 3, "5.00"),
        row(two, "A", EARLIER, 2000, 40, 0, "20.00")])
    found = results.campaign_results(campaign.workspace_id, campaign.id)
    phase_1, phase_2 = found.phases[0], found.phases[1]
    assert (phase_1.totals.impressions, phase_1.totals.clicks, phase_1.totals.conversions) == (2000, 40, 4)
    assert phase_1.totals.ctr == pytest.approx(2.0) and phase_1.totals.conversion_rate == pytest.approx(10.0)
    assert phase_1.totals.cost_per_conversion == Decimal("2.50")
    assert phase_2.totals.cost_per_conversion is None and phase_2.totals.spend == Decimal("20.00")
    assert [(day.isoformat(), t.impressions) for day, t in found.daily] == [(EARLIER, 2000), (DAY, 2000)]
    assert found.totals.impressions == 4000
    assert results.ctr_by_post(campaign.id, [int(one), int(two), 0]) == {int(one): 2.0, int(two): 2.0}


def test_winners_are_bounded_and_only_with_confidence(planned, campaign):
    posts = [p["id"] for phase in planned["phases"] for p in phase["posts"]]
    assert results.winners(campaign.id) == []
    batch = []
    for index, post_id in enumerate(posts[:5]):
        batch += [row(post_id, "A", DAY, 3000, 42, 0, "0"), row(post_id, "B", DAY, 3000, 63 + index, 0, "0")]
    batch += [row(posts[5], "A", DAY, 3000, 42, 0, "0"), row(posts[5], "B", DAY, 3000, 45, 0, "0")]
    results.record_metrics(campaign.workspace_id, campaign.id, batch)
    found = results.winners(campaign.id)
    assert len(found) == 3 and all(w["variant"] == "B" for w in found)
    assert all(len(w["headline"]) <= 120 and len(w["angle"]) <= 200 for w in found)
    assert found[0]["result"].startswith("B leads on CTR")


# --- Triggers -------------------------------------------------------------------------------------

def rule(**values):
    return {"metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
            "action": "regenerate", **values}


def test_a_trigger_waits_for_its_sample_then_fires_once_with_evidence(planned, campaign):
    phase_2 = [p["id"] for p in planned["phases"][1]["posts"]]
    trigger = results.create_trigger(campaign.workspace_id, campaign.id, rule(), author_id=None)
    results.record_metrics(campaign.workspace_id, campaign.id, [row(phase_2[0], "A", EARLIER, 900, 3, 0, "0")])
    assert Alert.query.count() == 0
    assert trigger_standings(campaign.workspace_id, campaign.id)[0].status == \
        "Waiting for 1,000 impressions (has 900)."
    results.record_metrics(campaign.workspace_id, campaign.id, [row(phase_2[1], "B", DAY, 2500, 18, 0, "0")])
    alert = Alert.query.one()
    assert alert.trigger_id == trigger.id
    assert alert.evidence["sentence"] == (f"Phase 2 CTR is 0.6% (threshold 1%) over 3,400 impressions, "
                                          f"{EARLIER} to {DAY}")
    assert [p["id"] for p in alert.evidence["posts"]] == [phase_2[0], phase_2[1]]
    # The suggestion states the intent; the evidence stays beside it, for the model's prompt.
    assert alert.action == {"kind": "regenerate", "from_phase": 2, "direction":
                            "Win back clicks in phase 2: try a sharper offer and a clearer call to action"}
    # Checking again, or the same rows again, records nothing more; an open alert holds back new ones.
    assert check_campaign(campaign.id) == []
    results.record_metrics(campaign.workspace_id, campaign.id, [row(phase_2[1], "B", DAY, 2500, 18, 0, "0")])
    results.record_metrics(campaign.workspace_id, campaign.id, [row(phase_2[1], "B", DAY, 2600, 18, 0, "0")])
    assert Alert.query.count() == 1
    # Dismissed: the evidence it fired on never fires again, other evidence does.
    results.dismiss_alert(campaign.workspace_id, campaign.id, alert.id)
    results.record_metrics(campaign.workspace_id, campaign.id, [row(phase_2[1], "B", DAY, 2500, 18, 0, "0")])
    assert Alert.query.count() == 1
    results.record_metrics(campaign.workspace_id, campaign.id, [row(phase_2[1], "B", DAY, 2700, 18, 0, "0")])
    assert Alert.query.count() == 2


def test_a_direction_template_fills_in_the_numbers(planned, campaign):
    post = planned["phases"][0]["posts"][0]
    results.create_trigger(campaign.workspace_id, campaign.id, rule(
        scope_phase=None, scope_post_id=post["id"], action="rewrite", metric="cost_per_conversion",
        comparison=">", threshold="40", min_impressions=0,
        direction="{metric} hit {value} against {threshold}; lead with the price"))
    results.record_metrics(campaign.workspace_id, campaign.id, [row(post["id"], "A", DAY, 1000, 20, 1, "55.00")])
    alert = Alert.query.one()
    assert alert.action["kind"] == "rewrite" and alert.action["post_id"] == post["id"]
    assert alert.action["feedback"] == ("Bring the cost per sign-up down on this post: Cost per conversion hit "
                                        "EUR 55.00 against EUR 40.00; lead with the price")


@pytest.mark.parametrize("values, field", [
    ({"metric": "reach"}, "metric"),
    ({"comparison": "="}, "comparison"),
    ({"threshold": "-1"}, "threshold"),
    ({"threshold": "lots"}, "threshold"),
    ({"threshold": 101}, "threshold"),
    ({"min_impressions": "-3"}, "min_impressions"),
    ({"scope_phase": 9}, "scope_phase"),
    ({"scope_post_id": "999999", "scope_phase": None}, "scope_post_id"),
    ({"action": "email"}, "action"),
    ({"action": "rewrite"}, "scope_post_id"),
    ({"from_phase": 0}, "from_phase"),
    ({"direction": "fix {everything}"}, "direction"),
    ({"direction": "fix {metric"}, "direction"),
    ({"direction": "x" * 501}, "direction"),
])
def test_a_bad_trigger_is_refused_by_field_and_nothing_is_created(planned, campaign, values, field):
    with pytest.raises(Invalid) as refused:
        results.create_trigger(campaign.workspace_id, campaign.id, rule(**values))
    assert field in refused.value.fields
    assert Trigger.query.count() == 0


def test_a_trigger_needs_a_strategy(bare_campaign):
    with pytest.raises(Conflict):
        results.create_trigger(bare_campaign.workspace_id, bare_campaign.id, rule())
    assert Trigger.query.count() == 0


def test_deleting_a_trigger_keeps_its_alerts_as_past_alerts(planned, campaign):
    post_id = planned["phases"][1]["posts"][0]["id"]
    trigger = results.create_trigger(campaign.workspace_id, campaign.id, rule())
    results.record_metrics(campaign.workspace_id, campaign.id, [row(post_id, "A", DAY, 2000, 2, 0, "0")])
    rule_text = describe_trigger(trigger, "EUR")
    results.delete_trigger(campaign.workspace_id, campaign.id, trigger.id)
    alert = Alert.query.one()
    assert alert.trigger_id is None and alert.dismissed_at is not None
    assert alert.evidence["rule"] == rule_text == \
        "Phase 2: CTR below 1% after 1,000 impressions → suggest regenerating from phase 2"
    assert Trigger.query.count() == 0
