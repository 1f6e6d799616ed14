"""The brand voice in every kind of prompt, as the fake OpenAI server receives them from the real code path: the
five analysis steps, the plan, each post, a regeneration, a variant rewritten with feedback and a follow-up. With
the longest voice the limits allow, each carries the whole voice block within its token budget."""
import re

import pytest

from gtm.services import voice

from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name
from tests.kit.schema_samples import estimate_tokens
from tests.kit.strategy import Answers, active
from tests.kit.workflow import generate_until

LONGEST = {"tone": "Warm, direct and practical, like a florist who knows the trade well" + "." * 12,
           "reading_level": "plain",
           "use": [f"use-{n:02d} " + "u" * (voice.WORD_MAX - 7) for n in range(voice.WORDS_MAX)],
           "avoid": [f"avoid-{n:02d} " + "a" * (voice.WORD_MAX - 9) for n in range(voice.WORDS_MAX)],
           "examples": [(f"Example {n}: fresh stems every morning, orders in one list. " * 20)[:voice.EXAMPLE_MAX]
                        for n in range(1, 4)]}
KINDS = {"CompetitorAnalysis", "CustomerAnalysis", "ObjectivesPlan", "MechanicsPlan", "CostEstimate",
         "StrategyPlan", "PostContent", "StrategyRegeneration", "VariantContent", "FollowUpPost"}
# The block, from its heading to the line that closes its three examples (each one line here).
BLOCK = re.compile(r"The brand's voice: write all copy in it\.\n(?:[^\n]+\n)*?Example posts in this voice[^\n]*\n"
                   r"(?:---\n[^\n]+\n){3}---")


class VoiceAnswers(Answers):
    """The strategy's answers, and a follow-up post."""

    def answer(self, body: dict):
        if schema_name(body) == "FollowUpPost":
            return Reply.json({"title": "Join the live demo", "channel": "email", "day": 30, "phase_name": "Demo",
                               "phase_goal": "Show it live", "brief": "Invite them to Thursday's demo. It turns interest into a look."})
        return super().answer(body)


def block_of(body: dict) -> str:
    prompt = body["messages"][1]["content"]
    found = BLOCK.findall(prompt)
    assert len(found) == 1, prompt[:3000]
    return found[0]


@pytest.mark.llm("openai")
def test_every_prompt_kind_carries_the_voice_within_its_budget(api, auth_client, user, campaign, work, fake_openai):
    voice.set_workspace_voice(user.workspace_id, LONGEST)
    answers = VoiceAnswers(fake_openai)
    generate_until(auth_client, work, campaign, "costs")
    answers.plan_and_write(api, campaign, work)
    answers.regenerate(api, campaign, work, 3, (2, 2), "r", "Win back the wedding florists")
    post = active(campaign.id)[-1]  # of the last phase, which a follow-up may follow
    assert auth_client.post(f"/campaigns/{campaign.id}/posts/{post.id}/variants/A/regenerate",
                            data={"feedback": "Shorter, please"}).status_code == 303
    work()
    status, body = api.post(f"/api/campaigns/{campaign.id}/follow-ups",
                            json={"after": [str(post.id)], "instruction": "Invite them to the live demo"})
    assert status == 202, body
    work()

    requests = fake_openai.chat_requests
    assert {schema_name(body) for body in requests} == KINDS
    for body in requests:
        block = block_of(body)
        assert estimate_tokens([{"content": block}]) <= voice.PROMPT_TOKENS, schema_name(body)
        assert f"Tone: {LONGEST['tone']}" in block and "Reading level: Plain" in block
        assert all(word in block for word in LONGEST["avoid"] + LONGEST["use"]), schema_name(body)
        # The examples are there, shortened at a word and ended with "…".
        assert block.count("Example posts in this voice") == 1 and block.count("Example 3: fresh stems") >= 1
        assert "…\n" in block
