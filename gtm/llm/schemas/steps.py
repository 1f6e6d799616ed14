"""Output schemas of the five analysis steps."""
from pydantic import Field

from ._base import Strict


class Competitor(Strict):
    name: str = Field(min_length=1, max_length=120)
    positioning: str
    strengths: list[str]
    weaknesses: list[str]
    pricing_notes: str
    how_we_differ: str


class CompetitorAnalysis(Strict):
    summary: str
    competitors: list[Competitor] = Field(min_length=1, max_length=10)
