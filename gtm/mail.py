"""Email: the one module that talks to the SMTP server (GTM_SMTP_URL), with From: GTM_MAIL_FROM.

`smtp://user:password@host:port` sends in plain text and upgrades with STARTTLS when the server offers it;
`smtps://…` speaks TLS from the start. Without GTM_SMTP_URL gtm sends no email and says so where it matters."""
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

TIMEOUT = 30


class MailError(Exception):
    """The server refused the message or could not be reached; the job that sends it tries again."""


def configured(app: Flask | None = None) -> bool:
    app = app or current_app
    return bool(app.config.get("GTM_SMTP_URL"))


def send(to: str, subject: str, text: str, app: Flask | None = None) -> None:
    """Send a plain-text email to one address."""
    app = app or current_app
    url = urlsplit(app.config["GTM_SMTP_URL"])
    message = EmailMessage()
    message["From"] = app.config.get("GTM_MAIL_FROM") or "gtm@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 25)
    try:
        server = (smtplib.SMTP_SSL(url.hostname, port, timeout=TIMEOUT, context=ssl.create_default_context())
                  if secure else smtplib.SMTP(url.hostname, port, timeout=TIMEOUT))
        with server:
            if not secure:
                server.ehlo()
                if server.has_extn("starttls"):
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send email to {to} through {url.hostname}:{port}: {exc}") from exc
