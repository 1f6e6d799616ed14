"""A real SMTP server on loopback (aiosmtpd) that keeps every message it is sent, and the app set up to use it."""
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """The messages the server received, parsed, oldest first."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.url = ""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """An SMTP server on 127.0.0.1; `inbox.url` is its GTM_SMTP_URL."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"
    yield inbox
    controller.stop()


@pytest.fixture
def mail_on(app, smtp_server):
    """The app sending email to the loopback server (the app fixture puts its configuration back afterwards)."""
    app.config["GTM_SMTP_URL"] = smtp_server.url
    app.config["GTM_MAIL_FROM"] = "gtm@example.com"
    return smtp_server
