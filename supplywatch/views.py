"""The names the pages call, re-exported from the Streamlit glue package :mod:`supplywatch.web`.

``from supplywatch import views`` then ``views.query(...)``, ``views.start_page(...)``: each name is defined once,
in the module of ``supplywatch/web/`` named for what it holds; read there, not here.
"""

from __future__ import annotations

from .web.alert_lists import (ALERTS_STALE, _public_history, alert_list, alerts_stale,  # noqa: F401
                              community_alerts, public_board)
from .web.labels import method_names, target_label  # noqa: F401
from .web.queries import (FIELD_ORDER, PAGE_DEFAULT_QUERIES, QUERIES, _cached, _protected,  # noqa: F401
                          _protected_checked, _status, _version, _warm, _warmed, checked_for_public, cursor,
                          data_unavailable, data_version, query, status, warehouse, WARM_HOOKS)
from .web.language import current as current_lang, switch as language_picker  # noqa: F401  (old names)
from .web.reader import STAFF_ROLES, Context, is_staff, suppress_k  # noqa: F401
from .web.reader_counts import (Trend, bound_text, count_text, counts_for_reader, counts_text,  # noqa: F401
                                outside_text, positivity_for_reader, rate_text, table, text_table,
                                week_rates_for_public)
from .web.sidebar import banner, filter_summary, sidebar, start_page  # noqa: F401
