from tests.alerts.conftest import cheap_hashes, draft, make_text, now, published_calls, staff  # noqa: F401
from tests.delivery.conftest import inbox, smtp_env, subscriber_key  # noqa: F401
