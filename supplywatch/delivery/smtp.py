"""How mail leaves: SMTP settings from the environment, one connection reused across a round.

SUPPLYWATCH_SMTP_HOST      mail server (required to send)
SUPPLYWATCH_SMTP_PORT      default 587 with STARTTLS, 465 with TLS, 25 otherwise
SUPPLYWATCH_SMTP_STARTTLS  1/true/yes: upgrade with STARTTLS (default on, unless TLS is set)
SUPPLYWATCH_SMTP_TLS       1/true/yes: implicit TLS from the first byte (SMTPS)
SUPPLYWATCH_SMTP_USER      login, optional
SUPPLYWATCH_SMTP_PASSWORD  password, optional; only ever sent over TLS unless the host is loopback
SUPPLYWATCH_SMTP_FROM      the From address, e.g. 'Supply Watch <alerts@example.org>' (required)

Errors are sorted into *temporary* (try again later: the server is down, 4xx) and
*permanent* (5xx for this recipient: retrying will not help), which the worker turns
into a retry or a dead letter.
"""

from __future__ import annotations

import ipaddress
import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass

from ..messages import UserError

TIMEOUT = 30  # seconds for connect and each SMTP command: a dead server must not hang the worker


class SmtpSettingsError(UserError):
    """The SMTP settings are missing or contradictory."""


class SendFailed(Exception):
    """A message was not handed over; ``permanent`` when the server refused it for good."""

    def __init__(self, reason: str, permanent: bool):
        super().__init__(reason)
        self.permanent = permanent


def _flag(name: str) -> bool | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    tls: bool
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_env(cls) -> "SmtpSettings":
        host = (os.environ.get("SUPPLYWATCH_SMTP_HOST") or "").strip()
        sender = (os.environ.get("SUPPLYWATCH_SMTP_FROM") or "").strip()
        if not host:
            raise SmtpSettingsError("SUPPLYWATCH_SMTP_HOST is not set: no mail server to send through")
        if "@" not in sender or any(ch in sender for ch in "\r\n"):
            raise SmtpSettingsError("SUPPLYWATCH_SMTP_FROM must be the sender's address, e.g. alerts@example.org")
        tls = bool(_flag("SUPPLYWATCH_SMTP_TLS"))
        starttls = _flag("SUPPLYWATCH_SMTP_STARTTLS")
        starttls = (not tls) if starttls is None else starttls
        if tls and starttls:
            raise SmtpSettingsError("set SUPPLYWATCH_SMTP_TLS or SUPPLYWATCH_SMTP_STARTTLS, not both")
        port_text = (os.environ.get("SUPPLYWATCH_SMTP_PORT") or "").strip()
        try:
            port = int(port_text) if port_text else (465 if tls else 587 if starttls else 25)
        except ValueError:
            raise SmtpSettingsError("SUPPLYWATCH_SMTP_PORT must be a number, got {port!r}", port=port_text) from None
        user = os.environ.get("SUPPLYWATCH_SMTP_USER") or None
        password = os.environ.get("SUPPLYWATCH_SMTP_PASSWORD") or None
        if user and not (tls or starttls) and not _loopback(host):
            raise SmtpSettingsError("refusing to send the SMTP password unencrypted to {host}: set "
                                    "SUPPLYWATCH_SMTP_STARTTLS=1 or SUPPLYWATCH_SMTP_TLS=1", host=host)
        return cls(host, port, starttls, tls, user, password, sender)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Sender:
    """One SMTP session, opened on first use and reopened after the server dropped it."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.tls:
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
            if s.starttls:
                smtp.starttls(context=context)
        if s.user:
            smtp.login(s.user, s.password or "")
        return smtp

    def send(self, msg) -> None:
        """Hand ``msg`` to the server or raise :class:`SendFailed` (its reason never holds the recipient)."""
        try:
            self._send(msg)
        except SendFailed as exc:
            reason = _scrub(str(exc), str(msg["To"] or ""))
            raise SendFailed(reason, exc.permanent) from None

    def _send(self, msg) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(msg, from_addr=_envelope(self.settings.sender))
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise SendFailed(f"recipient refused: {code} {_text(text)}", permanent=code >= 500) from None
        except smtplib.SMTPDataError as exc:  # the server refused this message
            raise SendFailed(f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                             permanent=500 <= exc.smtp_code < 600) from None
        except smtplib.SMTPResponseException as exc:  # login, sender, greeting: our settings, not this message
            self.close()
            raise SendFailed(f"mail server said {exc.smtp_code} {_text(exc.smtp_error)}", permanent=False) from None
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            self.close()
            raise SendFailed(f"mail server {self.settings.host}:{self.settings.port} unreachable: "
                             f"{type(exc).__name__}: {exc}".splitlines()[0], permanent=False) from None
        if refused:
            raise SendFailed(f"recipient refused: {next(iter(refused.values()))}", permanent=True)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:
                pass  # the connection is gone either way
            self._smtp = None


def _envelope(sender: str) -> str:
    from email.utils import parseaddr

    return parseaddr(sender)[1] or sender


def _text(value) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).splitlines()[0]


def _scrub(text: str, address: str) -> str:
    """``text`` without ``address`` (servers often echo the recipient in errors, which staff and logs see)."""
    if not address:
        return text
    return re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE)
