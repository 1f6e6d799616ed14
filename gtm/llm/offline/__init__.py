"""The offline provider: deterministic, no network, composed from the campaign's own fields.

It lets a newcomer use every feature with no API key. Its answers are built from what the
marketer typed (product, audience, goals, competitors, channels, feedback), so they read as a
useful first draft rather than lorem ipsum, and the same input always gives the same output.
"""
import hashlib
import io
import json
import textwrap
import time

from pydantic import BaseModel

from ..types import Completion, Live, LLMError, Prompt
from . import voice
from .compose import COMPOSERS, Facts
from .fit import fit


class OfflineProvider:
    name = "offline"
    model = "offline"

    def __init__(self, pace: float = 0.0):
        # Seconds between streamed chunks, so progress is visible as it is with a real model.
        self.pace = pace

    def complete(self, prompt: Prompt, schema: type[BaseModel], max_tokens: int, live: Live) -> Completion:
        compose = COMPOSERS.get(prompt.task)
        if compose is None:
            raise LLMError(f"The offline provider cannot write '{prompt.task}'. Set OPENAI_API_KEY to use a model.")
        answer = voice.honour(compose(Facts(prompt.vars)), prompt.task, prompt.vars)  # the brand voice, visibly
        answer = fit(answer, prompt.task, prompt.vars)  # then the channel's limits, which the voice may have passed
        text = json.dumps(answer, indent=1, ensure_ascii=False)
        for start in range(0, len(text), 48):
            live.write(text[start:start + 48])
            if self.pace:
                time.sleep(self.pace)
        prompt_chars = sum(len(m["content"]) for m in prompt.messages)
        return Completion(text=text, tokens_in=prompt_chars // 4 + 1, tokens_out=len(text) // 4 + 1, model=self.model)

    def image(self, prompt: str, headline: str) -> bytes:
        """Render a social card PNG from the headline."""
        return social_card(headline, seed=prompt)


def social_card(headline: str, *, seed: str = "", size: tuple[int, int] = (1200, 630)) -> bytes:
    """Render a simple social card: a coloured background with the headline in large type."""
    from PIL import Image, ImageDraw, ImageFont

    digest = hashlib.sha256((seed or headline).encode()).digest()
    hue = digest[0] / 255
    import colorsys

    r, g, b = (int(c * 255) for c in colorsys.hls_to_rgb(hue, 0.32, 0.55))
    image = Image.new("RGB", size, (r, g, b))
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=64)
        small = ImageFont.load_default(size=28)
    except TypeError:  # pragma: no cover - Pillow < 10.1
        font = small = ImageFont.load_default()
    y = 120
    for line in textwrap.wrap(headline or "", 28)[:5]:
        draw.text((80, y), line, fill=(255, 255, 255), font=font)
        y += 80
    draw.rectangle((80, size[1] - 90, 200, size[1] - 84), fill=(255, 255, 255))
    draw.text((80, size[1] - 70), "gtm", fill=(255, 255, 255), font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# The composers register themselves on import.
from . import chat  # noqa: E402,F401
from . import steps  # noqa: E402,F401
from . import strategy  # noqa: E402,F401
