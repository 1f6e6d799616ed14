"""Output schemas: what each task must return. The gateway validates every answer against them."""
from .steps import CompetitorAnalysis, Competitor  # noqa: F401
