"""The attack suite reuses the alert tests' staff accounts and publish recorder, and the channel tests' alert."""

from tests.alerts.conftest import cheap_hashes, now, published_calls, staff  # noqa: F401  (fixtures)
from tests.channels.conftest import alert  # noqa: F401  (fixture)
