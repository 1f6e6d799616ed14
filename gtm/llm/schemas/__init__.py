"""Output schemas: what each task must return. The gateway validates every answer against them."""
from .chat import ChatAnswer, FollowUpAction, RegenerateAction, RewriteVariantAction  # noqa: F401
from .steps import (  # noqa: F401
    ChannelPlan, Competitor, CompetitorAnalysis, CostEstimate, CostLineItem, CustomerAnalysis, LoyaltyMechanic,
    MechanicsPlan, Objective, ObjectivesPlan, Segment, Tactic, is_placeholder, without_placeholder,
)
from .strategy import (  # noqa: F401
    FollowUpPost, PlannedEdge, PlannedPhase, PlannedPost, PostContent, StrategyPlan, StrategyRegeneration,
    VariantContent,
)
