"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the notification tests, and the mail it received."""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the SMTP server got it."""

    session: int  # which SMTP connection it came over
    sender: str
    recipients: list[str]
    subject: str
    body: str


class _Inbox:
    def __init__(self):
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(
                Received(
                    session=id(session),
                    sender=envelope.mail_from,
                    recipients=list(envelope.rcpt_tos),
                    subject=str(parsed["Subject"]),
                    body=parsed.get_body(preferencelist=("plain",)).get_content(),
                )
            )
        return "250 Message accepted for delivery"

    def clear(self):
        with self._lock:
            self.messages.clear()

    @property
    def recipients(self) -> list[str]:
        return sorted(r for m in self.messages for r in m.recipients)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp(settings, _smtp_server) -> _Inbox:
    """Django's mail goes over SMTP to the test's server; returns its inbox (empty at the start of the test)."""
    controller, inbox = _smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    inbox.clear()
    return inbox


@pytest.fixture
def smtp_down(settings):
    """Django's mail goes over SMTP to a port where nothing listens (the mail server is down)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
