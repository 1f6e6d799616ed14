"""SQLAlchemy models, one module per aggregate."""
from .campaign import Campaign
from .chat import ChatMessage
from .run import Run, RunStatus
from .step import STEP_KINDS, StepVersion
from .strategy import Edge, Member, Phase, Post, StrategyVersion, Variant
from .workspace import ApiToken, User, Workspace

__all__ = [
    "ApiToken", "Campaign", "ChatMessage", "Edge", "Member", "Phase", "Post", "Run", "RunStatus", "STEP_KINDS",
    "StepVersion", "StrategyVersion", "User", "Variant", "Workspace",
]
