"""A real SMTP server on the loopback interface, a fresh subscriber key, and published alerts in a temporary app file."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from supplywatch.delivery import keys
from tests.alerts.conftest import cheap_hashes, complete_text, draft, make_text, now, published_calls, staff  # noqa: F401

SENDER = "Supply Watch <alerts@supplywatch.test>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the loopback server received: parsed messages with their envelope recipients."""

    def __init__(self, port: int, delay: float = 0.0, refuse: tuple[str, ...] = ()):
        self.port, self.delay, self.refuse = port, delay, set(refuse)
        self.messages: list = []
        self._lock = threading.Lock()
        self.controller: Controller | None = None
        self.data_started = threading.Event()  # set when a client starts handing over a message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address.upper()}>: mailbox unavailable"  # servers echo the address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((tuple(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def start(self) -> "Inbox":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        with self._lock:
            return [m for rcpts, m in self.messages if address in rcpts]

    def wait_for(self, n: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(self.messages)} of {n} mails arrived")
            time.sleep(0.02)


@pytest.fixture
def subscriber_key(monkeypatch) -> str:
    """A key made for this test only (never a committed one)."""
    key = keys.new_key()
    monkeypatch.setenv(keys.ENV, key)
    return key


@pytest.fixture
def smtp_env(monkeypatch):
    """SMTP settings pointing at a loopback port with nothing listening yet; returns the port."""
    port = free_port()
    monkeypatch.setenv("SUPPLYWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SUPPLYWATCH_SMTP_PORT", str(port))
    monkeypatch.setenv("SUPPLYWATCH_SMTP_STARTTLS", "0")
    monkeypatch.setenv("SUPPLYWATCH_SMTP_FROM", SENDER)
    monkeypatch.setenv("SUPPLYWATCH_BASE_URL", "https://alerts.example.org")
    for name in ("SUPPLYWATCH_SMTP_TLS", "SUPPLYWATCH_SMTP_USER", "SUPPLYWATCH_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return port


@pytest.fixture
def inbox(smtp_env, subscriber_key, staff, published_calls):
    """A running SMTP server on the configured port; stopped after the test."""
    box = Inbox(smtp_env).start()
    yield box
    box.stop()


def body(msg, subtype: str = "plain") -> str:
    """A part's text with the wire's CRLF line ends read back as LF."""
    return msg.get_body(preferencelist=(subtype,)).get_content().replace("\r\n", "\n")


def confirm_token(msg) -> str:
    return re.search(r"/subscribe\?confirm=([A-Za-z0-9_-]+)", body(msg)).group(1)
