"""Output schemas: what each task must return. The gateway validates every answer against them."""
from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
