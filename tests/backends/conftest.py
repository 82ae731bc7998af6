"""The backend tests reuse the alert tests' staff accounts, frozen clock, cheap argon2 and draft factory."""

from tests.alerts.conftest import cheap_hashes, draft, make_text, now, published_calls, staff  # noqa: F401  (fixtures)
