"""What each role may do in a workspace: the one table of role × action.

Every page route and API operation names the action it needs (gtm/web/authorization.py); a member whose
role lacks it is refused with a sentence saying why and who can help.

| action  | owner | editor | reviewer | viewer | what it covers |
|---------|-------|--------|----------|--------|----------------|
| read    | yes   | yes    | yes      | yes    | every page and read of the workspace's campaigns |
| comment | yes   | yes    | yes      | yes    | comments on posts and step versions |
| edit    | yes   | yes    |          |        | create and change campaigns, generate, regenerate, edit, plan, import, metrics, triggers |
| review  | yes   |        | yes      |        | approve posts, or request changes |
| manage  | yes   |        |          |        | members, roles and invitations; deleting a campaign |
"""
from ..models import ROLES

ACTIONS = ("read", "comment", "edit", "review", "manage")

ALLOWED: dict[str, frozenset[str]] = {
    "owner": frozenset(ACTIONS),
    "editor": frozenset({"read", "comment", "edit"}),
    "reviewer": frozenset({"read", "comment", "review"}),
    "viewer": frozenset({"read", "comment"}),
}
assert set(ALLOWED) == set(ROLES)

ROLE_NAMES = {"owner": "Owner", "editor": "Editor", "reviewer": "Reviewer", "viewer": "Viewer"}
ROLE_SUMMARIES = {
    "owner": "everything, and the members, their roles and invitations",
    "editor": "creates and changes campaigns, generates, regenerates, edits, plans, imports, records numbers",
    "reviewer": "reads everything, comments, approves posts or requests changes",
    "viewer": "reads everything and comments",
}
ACTION_WORDS = {
    "read": "read this workspace",
    "comment": "comment",
    "edit": "change campaigns",
    "review": "approve posts or request changes",
    "manage": "manage the workspace's members and delete campaigns",
}


def can(role: str | None, action: str) -> bool:
    """Whether a member with `role` may do `action`; nobody without a role may do anything."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return role in ALLOWED and action in ALLOWED[role]


def refusal(role: str, action: str) -> str:
    """The sentence a refused member reads: what their role allows, and who can do it."""
    who = [ROLE_NAMES[r].lower() + "s" for r in ROLES if action in ALLOWED[r]]
    return (f"Your role in this workspace is {ROLE_NAMES.get(role, role).lower()}, which cannot "
            f"{ACTION_WORDS[action]}: {' and '.join(who)} can. Ask an owner if you need another role.")
