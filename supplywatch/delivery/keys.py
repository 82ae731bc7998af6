"""The subscriber key: encrypts addresses at rest and keys the hashes that stand for them.

``SUPPLYWATCH_SUBSCRIBER_KEY`` is a Fernet key (``python -m supplywatch subscribers new-key``
prints one). It lives in the deployment's environment, never in the repository or
the database. Without it nothing that touches an address runs: subscribing,
confirming, unsubscribing, removing and sending all refuse with one line.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from cryptography.fernet import Fernet, InvalidToken

from ..messages import UserError

ENV = "SUPPLYWATCH_SUBSCRIBER_KEY"


class KeyMissing(UserError):
    """The subscriber key is absent or malformed; subscriptions cannot run."""


def new_key() -> str:
    """A fresh Fernet key as text, to put in ``SUPPLYWATCH_SUBSCRIBER_KEY``."""
    return Fernet.generate_key().decode()


def _raw() -> bytes:
    value = (os.environ.get(ENV) or "").strip()
    if not value:
        raise KeyMissing("subscriptions are off: set {env} to a key from `python -m supplywatch subscribers new-key`",
                         env=ENV)
    try:
        Fernet(value.encode())
    except (ValueError, TypeError):
        raise KeyMissing("{env} is not a valid key (32 url-safe base64 bytes); make one with "
                         "`python -m supplywatch subscribers new-key`", env=ENV) from None
    return value.encode()


def check() -> None:
    """Raise :class:`KeyMissing` unless a usable key is configured."""
    _raw()


def encrypt(text: str) -> str:
    return Fernet(_raw()).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return Fernet(_raw()).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise KeyMissing("a stored address cannot be decrypted with this {env}: was the key changed?",
                         env=ENV) from None


def keyed_hash(purpose: str, text: str) -> str:
    """HMAC-SHA256 of ``text`` under a sub-key for ``purpose`` ('address', 'unsubscribe' ...), hex."""
    sub = hmac.new(_raw(), f"supplywatch:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(sub, text.encode("utf-8"), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """SHA-256 of a random token (256 bits of entropy need no key), hex: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def random_token() -> str:
    return secrets.token_urlsafe(32)
