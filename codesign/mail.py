"""Sending email: SMTP in production, the log in development, an in-memory outbox in tests.

A failed send is logged and reported as False; it never breaks the request that caused it, and
a request's emails go once its response has gone (`send_after_response`), so a slow mail server
never holds up a page, nor says by its delay whether an address has an account. Notification
emails have their own queue with retries (codesign/notifications/emails.py).
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, g, has_request_context

OUTBOX = "codesign.outbox"


def build_message(to: str, subject: str, text: str, html: str | None = None, *, language: str = "en",
                  unsubscribe_url: str | None = None) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((config["MAIL_FROM_NAME"], config["MAIL_FROM"]))
    message["To"] = to
    message["Subject"] = " ".join(str(subject).split())  # one line, whatever a title holds
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after the body: setting content clears Content-* headers
    if unsubscribe_url:  # one click in the mail program stops them (RFC 8058), no sign-in needed
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def send(message: EmailMessage) -> bool:
    """Deliver a message with the configured backend; True if it was handed over."""
    backend = current_app.config["MAIL_BACKEND"]
    try:
        if backend == "memory":
            current_app.extensions.setdefault(OUTBOX, []).append(message)
        elif backend == "smtp":
            _send_smtp(message)
        else:
            current_app.logger.info("Email (not sent: MAIL_BACKEND=%s):\n%s", backend, message.as_string())
    except Exception:  # a mail server's trouble must never break the page that caused the email
        current_app.logger.exception("Could not send email to %s", message["To"])
        return False
    return True


def send_after_response(message: EmailMessage) -> None:
    """Send once this request's response has gone (at once outside a request: the CLI jobs)."""
    if not has_request_context():
        send(message)
        return
    if "mail_after_response" not in g:
        g.mail_after_response = []
    g.mail_after_response.append(message)


def deliver_after_response(response):
    """(after_request) Hand the request's emails to the server to send when it closes the response."""
    pending = g.pop("mail_after_response", None)
    if pending:
        app = current_app._get_current_object()

        def deliver():
            with app.app_context():
                for message in pending:
                    send(message)

        response.call_on_close(deliver)
    return response


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    connect = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with connect(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as server:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            server.starttls()
        if config["MAIL_USERNAME"]:
            server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        server.send_message(message)


def outbox() -> list[EmailMessage]:
    """Messages captured by the memory backend (tests)."""
    return current_app.extensions.setdefault(OUTBOX, [])
