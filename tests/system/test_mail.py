"""Email through a real SMTP server on loopback, sent by the mail jobs run by a real RQ worker: an invitation's
link arrives and works once, not once withdrawn or expired; a password reset link works once and for an hour;
an address with no account gets the same answer and no email; a server that cannot be reached is tried again."""
import re
from datetime import timedelta

import pytest

from gtm.extensions import db
from gtm.models._base import utcnow
from gtm.models.invitation import Invitation, PasswordReset
from gtm.services import accounts, workspaces

from tests.kit.clients import PASSWORD, log_in, new_client, signed_in_pages_work
from tests.kit.jobs import rq_queue
from tests.kit.mail import free_port

GUEST = "guest@example.com"
NEW_PASSWORD = "Fresh-passw0rd-2"


def link_in(message, path: str) -> str:
    found = re.search(rf"https?://\S+/{path}/\S+", message.get_content())
    assert found, message.get_content()
    return found.group(0)


def local(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def invite_by_mail(auth_client, role="editor") -> None:
    response = auth_client.post("/settings/invitations", data={"email": GUEST, "role": role})
    assert response.status_code == 201
    assert "The link is on its way to them by email" in response.get_data(as_text=True)


def test_the_invitation_email_arrives_with_a_link_that_works_once(app, mail_on, auth_client, work):
    app.config["GTM_BASE_URL"] = "https://gtm.example.com"
    invite_by_mail(auth_client, role="reviewer")
    assert mail_on.messages == []  # sent by the job, not the request
    work()
    [message] = mail_on.to(GUEST)
    assert message["From"] == "gtm@example.com"
    assert message["Subject"] == "marketer@example.com invited you to marketer on gtm"
    assert "as a reviewer" in message.get_content()
    link = link_in(message, "invitations")
    assert link.startswith("https://gtm.example.com/invitations/")
    guest = new_client(app)
    assert "invited you to marketer as reviewer" in guest.get(local(link)).get_data(as_text=True)
    signed_up = guest.post(f"/signup?invitation={link.rsplit('/', 1)[1]}", data={"email": GUEST, "password": PASSWORD})
    assert signed_up.status_code == 303
    owner = accounts.user_by_email("marketer@example.com")
    assert workspaces.role_of(accounts.user_by_email(GUEST).id, owner.workspace_id) == "reviewer"
    # Reused, the link says it no longer works.
    reused = new_client(app).get(local(link))
    assert reused.status_code == 404 and "no longer works" in reused.get_data(as_text=True)


def test_a_withdrawn_invitation_is_not_sent_and_its_link_is_gone(app, mail_on, auth_client, work):
    invite_by_mail(auth_client)
    found = db.session.query(Invitation).one()
    assert auth_client.post(f"/settings/invitations/{found.id}/revoke").status_code == 303
    work()
    assert mail_on.messages == []


def test_an_expired_invitation_link_is_gone(app, mail_on, auth_client, work):
    invite_by_mail(auth_client)
    work()
    link = link_in(mail_on.to(GUEST)[0], "invitations")
    found = db.session.query(Invitation).one()
    found.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert new_client(app).get(local(link)).status_code == 404


def test_a_reset_link_arrives_and_works_once(app, mail_on, user, work):
    elsewhere = log_in(new_client(app), user.email)
    client = new_client(app)
    assert 'href="/forgot"' in client.get("/login").get_data(as_text=True)
    response = client.post("/forgot", data={"email": " Marketer@Example.com "})
    assert response.status_code == 200 and "If an account has that email" in response.get_data(as_text=True)
    work()
    [message] = mail_on.to(user.email)
    assert message["Subject"] == "Set a new gtm password"
    link = local(link_in(message, "reset"))
    form = client.get(link)
    assert form.status_code == 200 and 'name="confirm_password"' in form.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm_password": "Other-passw0rd-3"})
    assert mismatch.status_code == 422 and "The two passwords differ" in mismatch.get_data(as_text=True)
    weak = client.post(link, data={"password": "short", "confirm_password": "short"})
    assert weak.status_code == 422
    assert accounts.authenticate(user.email, PASSWORD) is not None  # nothing changed yet
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert accounts.authenticate(user.email, NEW_PASSWORD) is not None
    assert not signed_in_pages_work(elsewhere)  # every session ended
    again = client.post(link, data={"password": "Third-passw0rd-4", "confirm_password": "Third-passw0rd-4"})
    assert again.status_code == 404 and "no longer works" in again.get_data(as_text=True)
    assert accounts.authenticate(user.email, NEW_PASSWORD) is not None


def test_a_reset_link_expires_after_an_hour(app, mail_on, user, work):
    client = new_client(app)
    client.post("/forgot", data={"email": user.email})
    work()
    link = local(link_in(mail_on.to(user.email)[0], "reset"))
    reset = db.session.query(PasswordReset).one()
    assert reset.expires_at - reset.created_at == timedelta(hours=1)
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 404
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}).status_code == 404
    assert accounts.authenticate(user.email, PASSWORD) is not None


def test_an_unknown_address_gets_the_same_answer_and_no_email(app, mail_on, user, work):
    client = new_client(app)
    known = client.post("/forgot", data={"email": user.email})
    unknown = client.post("/forgot", data={"email": "nobody@example.com"})
    assert unknown.status_code == known.status_code == 200
    assert _answer(unknown) == _answer(known)
    work()
    assert [message["To"] for message in mail_on.messages] == [user.email]
    assert db.session.query(PasswordReset).count() == 1


def _answer(response) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))


def test_without_email_forgot_says_to_ask_an_owner(app, user, work):
    client = new_client(app)
    page = client.get("/forgot").get_data(as_text=True)
    assert "Ask an owner of your workspace" in page and 'name="email"' not in page
    assert client.post("/forgot", data={"email": user.email}).status_code == 200
    assert db.session.query(PasswordReset).count() == 0


@pytest.mark.config(GTM_LOGIN_LIMIT="2 per minute")
def test_forgot_is_rate_limited(app, mail_on, user):
    client = new_client(app)
    for _ in range(2):
        assert client.post("/forgot", data={"email": "nobody@example.com"}).status_code == 200
    refused = client.post("/forgot", data={"email": "nobody@example.com"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_a_server_that_cannot_be_reached_is_tried_again(app, auth_client, work):
    app.config["GTM_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    invite_by_mail(auth_client)
    work()
    assert rq_queue(app).scheduled_job_registry.count == 1  # its retry waits for the scheduler
