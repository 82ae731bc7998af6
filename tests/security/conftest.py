"""The attack suite reuses the alert tests' accounts, frozen clock and cheap argon2."""

from tests.alerts.conftest import cheap_hashes, draft, make_text, now, published_calls, staff  # noqa: F401
