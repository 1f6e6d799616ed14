"""People in a workspace for the members and invitation tests: someone who joins through an invitation (so the
workspace is their only one), and the pieces of a page those tests read."""
import re

from gtm.services import invitations

from .clients import PASSWORD, log_in, new_client


def invite_link(page: str) -> str:
    """The invitation link a members page shows once (its Copy field)."""
    return re.search(r'id="invitation-link" type="text" readonly value="([^"]+)"', page).group(1)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def joined_member(owner, email: str, role: str):
    """A person who signed up through the owner's invitation: a member of the owner's workspace only."""
    _, raw = invitations.invite(owner.workspace_id, owner.id, email, role)
    user, _ = invitations.sign_up(raw, email, PASSWORD)
    return user


def client_of(app, email: str):
    return log_in(new_client(app), email)
