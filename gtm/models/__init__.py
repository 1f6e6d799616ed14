"""SQLAlchemy models, one module per aggregate."""
from .activity import Activity
from .calendar import CalendarFeed
from .campaign import Campaign
from .chat import ChatMessage
from .comment import COMMENT_SUBJECTS, Comment
from .results import Alert, Metric, Trigger
from .run import Run, RunStatus
from .step import STEP_KINDS, StepVersion
from .strategy import Edge, Member, Phase, Post, StrategyVersion, Variant
from .webhook import DELIVERY_STATUSES, WEBHOOK_EVENTS, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .workspace import ROLES, ApiToken, Membership, User, Workspace

__all__ = [
    "Activity", "Alert", "ApiToken", "CalendarFeed", "Campaign", "ChatMessage", "Comment", "COMMENT_SUBJECTS", "Edge", "Member",
    "Membership", "Metric", "Phase", "Post", "ROLES",
    "Run", "RunStatus", "STEP_KINDS", "StepVersion", "StrategyVersion", "Trigger", "User", "Variant",
    "DELIVERY_STATUSES", "WEBHOOK_EVENTS", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "Workspace",
]
