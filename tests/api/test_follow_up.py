"""A follow-up post after chosen posts: one model call writes one post in the phase after theirs (a new phase past
the last), linked from each picked post, saved as version n+1 with every post kept; its content is written like a
regeneration's new posts. Refusals name the field and change nothing; compare and restore treat it as any version."""
from datetime import date

import pytest

from gtm.extensions import db
from gtm.models import Activity, Campaign, Edge, Member, Phase, Post, Run, StrategyVersion, Variant
from gtm.services import accounts, campaigns

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD
from tests.kit.fake_openai import Reply
from tests.kit.members import joined_member
from tests.kit.plans import schema_name, valid_plan
from tests.kit.strategy import Answers, active, plan_and_write, regenerate, snapshot

INSTRUCTION = "Invite the readers of both posts to the live demo on Thursday"


def follow_up(api, campaign_id, after, instruction=INSTRUCTION):
    return api.post(f"/api/campaigns/{campaign_id}/follow-ups", json={"after": after, "instruction": instruction})


def post_answer(**values) -> dict:
    return {"title": "Join the live demo", "channel": "email", "day": 30,
            "brief": "Invite both audiences to Thursday's demo. It turns interest into a first look.",
            "phase_name": "", "phase_goal": "", **values}


class FollowUpAnswers(Answers):
    """The fake's answers with the follow-up's: `follow_ups` are given in turn, the last one again."""

    def __init__(self, fake):
        super().__init__(fake)
        self.follow_ups = [post_answer()]

    def answer(self, body: dict):
        if schema_name(body) == "FollowUpPost":
            return Reply.json(self.follow_ups.pop(0) if len(self.follow_ups) > 1 else self.follow_ups[0])
        return super().answer(body)


@pytest.fixture
def answers(fake_openai):
    return FollowUpAnswers(fake_openai)


def members(campaign_id, number) -> set[int]:
    return {m.post_id for m in Member.query.filter_by(campaign_id=campaign_id, version=number)}


@pytest.mark.llm("openai")
def test_a_follow_up_after_two_branches_joins_the_next_phase(api, campaign, work, answers):
    answers.plan_and_write(api, campaign, work)
    before = active(campaign.id)
    rows = {p.id: (p.phase, p.key, p.title, p.brief, p.day, p.status, p.version) for p in before}
    variants = {v.id: (v.post_id, v.label, v.headline, v.is_current) for v in Variant.query.all()}
    picked = [p for p in before if p.phase == 3]
    picked = [picked[0], picked[2]]  # two branches of phase 3: no edge joins them
    moved = before[0]
    Member.query.filter_by(campaign_id=campaign.id, version=1, post_id=moved.id).one().moved_to = date(2031, 5, 6)
    db.session.commit()

    status, body = follow_up(api, campaign.id, [str(picked[0].id), picked[1].id])
    assert status == 202, body
    assert body["version"] == 2 and body["run_id"]
    work()

    run = db.session.get(Run, int(body["run_id"]))
    assert (run.kind, run.status) == ("follow_up", "succeeded"), run.error
    version = StrategyVersion.query.filter_by(campaign_id=campaign.id, number=2).one()
    assert (version.origin, version.direction, version.based_on) == ("follow-up", INSTRUCTION, 1)
    assert version.after_post_ids == [picked[0].id, picked[1].id] and version.author_id is not None
    assert db.session.get(Campaign, campaign.id).current_version == 2
    new = [p for p in active(campaign.id) if p.id not in rows]
    assert len(new) == 1
    post = new[0]
    assert (post.phase, post.title, post.channel, post.day, post.version) == (4, "Join the live demo", "email", 30, 2)
    # Every post is kept: the same rows, unchanged, and the version's members are them and the new one.
    assert {p.id: (p.phase, p.key, p.title, p.brief, p.day, p.status, p.version) for p in active(campaign.id)
            if p.id in rows} == rows
    assert members(campaign.id, 2) == set(rows) | {post.id}
    for variant_id, values in variants.items():
        v = db.session.get(Variant, variant_id)
        assert (v.post_id, v.label, v.headline, v.is_current) == values
    # The calendar date a kept post was moved to comes with it.
    assert Member.query.filter_by(campaign_id=campaign.id, version=2, post_id=moved.id).one().moved_to.year == 2031
    # An edge from every picked post, and no other new one.
    assert {(e.from_post_id, e.to_post_id) for e in Edge.query.filter_by(to_post_id=post.id)} == \
        {(picked[0].id, post.id), (picked[1].id, post.id)}
    # The phases are copied; the new post's phase keeps its name.
    assert [(p.number, p.name) for p in Phase.query.filter_by(campaign_id=campaign.id, version=2)
            .order_by(Phase.number)] == [(p.number, p.name) for p in Phase.query.filter_by(
                campaign_id=campaign.id, version=1).order_by(Phase.number)]
    # The content pipeline wrote the new post's A and B, with images; kept posts cost no calls.
    assert post.status == "ready"
    assert sorted(v.label for v in post.variants) == ["A", "B"] and all(v.media_path for v in post.variants)
    assert [r.params["post_id"] for r in Run.query.filter_by(parent_id=run.id)] == [post.id]
    assert len(answers.calls("PostContent")) == len(rows) + 1
    # The one call carried the picked posts and the instruction, and the phase it writes for.
    (call,) = answers.calls("FollowUpPost")
    prompt = call["messages"][1]["content"]
    assert INSTRUCTION in prompt and picked[0].title in prompt and picked[1].title in prompt
    assert picked[0].brief in prompt and "goes in phase 4" in prompt
    record = Activity.query.filter_by(kind="follow_up_added").one()
    assert "Join the live demo" in record.summary and INSTRUCTION in record.summary

    # The versions API names the origin and the picked posts; compare shows the one post and its edges.
    status, listed = api.get(f"/api/campaigns/{campaign.id}/versions")
    newest = listed["versions"][0]
    assert (newest["origin"], newest["direction"]) == ("follow-up", INSTRUCTION)
    assert newest["after_post_ids"] == [str(picked[0].id), str(picked[1].id)]
    assert listed["versions"][1]["after_post_ids"] is None
    status, compared = api.get(f"/api/campaigns/{campaign.id}/compare?a=1&b=2")
    assert status == 200
    assert compared["posts"]["added"] == [str(post.id)] and compared["posts"]["removed"] == []
    assert {(e["from"], e["to"]) for e in compared["edges"]["added"]} == \
        {(str(picked[0].id), str(post.id)), (str(picked[1].id), str(post.id))}
    assert compared["edges"]["removed"] == [] and compared["phases"]["added"] == []

    # Restoring version 1 takes the follow-up back; restoring 2 brings it again, with no model call.
    calls = len(answers.fake.chat_requests)
    assert api.post(f"/api/campaigns/{campaign.id}/versions/1/restore") == (201, {"version": 3, "restored": 1})
    assert members(campaign.id, 3) == set(rows) and not db.session.get(Post, post.id).is_active
    assert api.post(f"/api/campaigns/{campaign.id}/versions/2/restore")[0] == 201
    assert members(campaign.id, 4) == members(campaign.id, 2) and db.session.get(Post, post.id).is_active
    assert len(answers.fake.chat_requests) == calls


def test_a_follow_up_after_the_last_phase_opens_a_new_one(api, campaign, work):
    nodes = plan_and_write(api, campaign, work)
    last = nodes["phases"][-1]
    count = len(nodes["phases"])
    picked = [p["id"] for p in last["posts"]]
    status, body = follow_up(api, campaign.id, picked, "Thank the first customers and ask for a review")
    assert status == 202, body
    work()
    assert db.session.get(Run, int(body["run_id"])).status == "succeeded"
    after = api.get(f"/api/campaigns/{campaign.id}/nodes")[1]
    assert after["version"] == 2 and len(after["phases"]) == count + 1
    opened = after["phases"][-1]
    assert opened["number"] == count + 1 and opened["name"] and opened["goal"]
    (post,) = opened["posts"]
    assert post["status"] == "ready" and post["day"] >= max(p["day"] for p in last["posts"])
    assert post["title"] == "Thank you from the Bloom team"  # the instruction shapes the title, unquoted
    assert {(e["from"], e["to"]) for e in after["edges"] if e["to"] == post["id"]} == \
        {(p, post["id"]) for p in picked}
    assert [p["id"] for phase in after["phases"][:-1] for p in phase["posts"]] == \
        [p["id"] for phase in nodes["phases"] for p in phase["posts"]]
    written = db.session.get(Post, int(post["id"]))
    assert all(v.body and "{" not in v.body and "None" not in v.body for v in written.variants)
    # Compare names the added phase; a second follow-up after the new post opens phase 6, the most there may be.
    compared = api.get(f"/api/campaigns/{campaign.id}/compare?a=1&b=2")[1]
    assert compared["phases"]["added"] == [count + 1] and compared["posts"]["added"] == [post["id"]]


@pytest.mark.llm("openai")
def test_refused_requests_name_the_field_and_change_nothing(api, app, user, campaign, work, answers):
    answers.plan = valid_plan((3, 3, 5, 3), ("linkedin", "email", "instagram"))
    assert follow_up(api, campaign.id, ["1"])[0] == 409, "no strategy yet"
    assert api.post(f"/api/campaigns/{campaign.id}/strategy")[0] == 202
    work()
    posts = active(campaign.id)
    by_phase = {n: [p for p in posts if p.phase == n] for n in (1, 2, 3, 4)}
    other = campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN, name="Other"))
    stranger = Post(campaign_id=other.id, version=1, phase=1, key="x", title="Elsewhere", channel="email", brief="",
                    day=0)
    db.session.add(stranger)
    db.session.commit()
    before = snapshot(campaign.id)
    p4 = [str(p.id) for p in by_phase[4]]
    cases = [
        ({"instruction": INSTRUCTION}, "after", "Pick at least one post"),
        ({"after": [], "instruction": INSTRUCTION}, "after", "Pick at least one post"),
        ({"after": {"id": p4[0]}, "instruction": INSTRUCTION}, "after", "as a list"),
        ({"after": ["999999", p4[0]], "instruction": INSTRUCTION}, "after", "999999"),
        ({"after": ["seven"], "instruction": INSTRUCTION}, "after", "seven"),
        ({"after": [str(stranger.id)], "instruction": INSTRUCTION}, "after", str(stranger.id)),
        ({"after": [str(p.id) for p in posts[:6]], "instruction": INSTRUCTION}, "after", "at most 5"),
        ({"after": p4[:1]}, "instruction", "Say what the follow-up post should do"),
        ({"after": p4[:1], "instruction": "   "}, "instruction", "Say what the follow-up post should do"),
        ({"after": p4[:1], "instruction": "x" * 1001}, "instruction", "at most 1,000 characters"),
        ({"after": p4[:1], "instruction": 5}, "instruction", "must be text"),
        # The graph rules: one phase only, no dead end before the last phase, at most 5 posts in a phase.
        ({"after": [str(by_phase[3][0].id), p4[0]], "instruction": INSTRUCTION}, "after", "edges run from phase k"),
        ({"after": [str(by_phase[1][0].id)], "instruction": INSTRUCTION}, "after", "no post after it"),
        ({"after": [str(by_phase[2][0].id)], "instruction": INSTRUCTION}, "after", "phase 3 already has 5 posts"),
    ]
    for body, field, message in cases:
        status, answer = api.post(f"/api/campaigns/{campaign.id}/follow-ups", json=body)
        assert status == 422, (body, answer)
        assert message in answer["detail"][field], (body, answer)
        assert snapshot(campaign.id) == before
    assert Run.query.filter_by(kind="follow_up").count() == 0 and not answers.calls("FollowUpPost")
    # Unknown or foreign campaigns are 404, a viewer is refused, and one change at a time: 409.
    assert follow_up(api, 999999, p4[:1])[0] == 404
    rival = accounts.sign_up("rival@example.com", PASSWORD)
    rival_token = accounts.create_token(rival.id, "t", rival.workspace_id)[1]
    assert app.test_client().post(f"/api/campaigns/{campaign.id}/follow-ups", json={"after": p4[:1], "instruction": "x"},
                                  headers={"Authorization": f"Bearer {rival_token}"}).status_code == 404
    viewer = joined_member(user, "viewer@example.com", "viewer")
    viewer_token = accounts.create_token(viewer.id, "t", user.workspace_id)[1]
    assert app.test_client().post(f"/api/campaigns/{campaign.id}/follow-ups", json={"after": p4[:1], "instruction": "x"},
                                  headers={"Authorization": f"Bearer {viewer_token}"}).status_code == 403
    assert snapshot(campaign.id) == before


@pytest.mark.llm("openai")
def test_a_follow_up_holds_the_slot_until_its_post_is_written(api, campaign, work, answers):
    answers.plan_and_write(api, campaign, work)
    p3 = [str(p.id) for p in active(campaign.id) if p.phase == 3]
    status, body = follow_up(api, campaign.id, p3[:1])
    assert status == 202
    status, answer = follow_up(api, campaign.id, p3[:1])
    assert status == 409 and "in flight" in answer["error"]
    assert regenerate(api, campaign.id, 2)[0] == 409
    assert api.post(f"/api/campaigns/{campaign.id}/strategy")[0] == 409
    work()
    assert follow_up(api, campaign.id, p3[1:2])[1]["version"] == 3, "free again once written"
    work()


@pytest.mark.llm("openai")
def test_an_unusable_post_is_repaired_once_then_fails_with_nothing_saved(api, campaign, work, answers):
    answers.plan_and_write(api, campaign, work)
    p3 = [str(p.id) for p in active(campaign.id) if p.phase == 3]
    before = snapshot(campaign.id)
    # A channel the campaign does not use, and a day before the posts it follows: twice.
    answers.follow_ups = [post_answer(channel="fax", day=1)]
    status, body = follow_up(api, campaign.id, p3[:2])
    work()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "failed" and "not usable twice" in run.error and "'fax'" in run.error
    calls = answers.calls("FollowUpPost")
    assert len(calls) == 2 and "use a day from" in calls[1]["messages"][-1]["content"]
    assert snapshot(campaign.id) == before
    # A first answer that breaks the rules and a repaired second one: the version is made.
    answers.follow_ups = [post_answer(title=" "), post_answer()]
    status, body = follow_up(api, campaign.id, p3[:2])
    assert status == 202 and body["version"] == 2
    work()
    assert db.session.get(Run, int(body["run_id"])).status == "succeeded"
    assert len(answers.calls("FollowUpPost")) == 4
    assert StrategyVersion.query.filter_by(campaign_id=campaign.id, number=2).one().origin == "follow-up"
