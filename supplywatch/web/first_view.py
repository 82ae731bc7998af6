"""What the first reader of each public page sees, computed before anyone asks: at server start (the app's lifespan,
in a background thread, so the server answers at once) and again for every new data version (views' warm-up of a
version calls ``warm``).

views.PAGE_DEFAULT_QUERIES warms each page's queries with no filters, as staff run them. The public pages ask for
more: the home page's week ends where every filter's week ends (supplywatch.public_headline), so its headline
query carries that end, and its rates read six substances' Trends margins (supplywatch.public_week); its alert list reads external alerts from the 30 days before the newest sample; the
board reads the community alerts of the app database; Trends reads the shared public margins and builds a plotly
figure (the first figure of a process imports plotly and its validators: about a second). Measured on 20,000
samples, a first visit after a server start took 4.3-4.4 s against 1.8-2.4 s for the next ones (docs/benchmarks.md,
"Reader speed: where the time goes").

Only shared, public things are computed: aggregates of the warehouse and published alerts, nothing per user.
SUPPLYWATCH_WARM_CACHE=0 turns this off, as it does views' own warm-up (to measure cold pages).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from dataclasses import replace

import pandas as pd

from .. import charts, i18n
from . import alert_lists, public_pages, queries, reader, reader_counts
from ..filters import Filters

THREAD = "supplywatch-first-view"


def enabled() -> bool:
    return os.environ.get("SUPPLYWATCH_WARM_CACHE", "1") != "0"


def warm() -> None:
    """The public default view of the home page, the alert board, Trends, Concentration and Expected vs found, into
    the shared caches."""
    ctx = reader.Context(Filters(), "en", str, False, reader.suppress_k())
    end, _checked = queries.checked_for_public(ctx)
    if end:
        queries.query("headline", ctx.f, end=end)
        reader_counts.week_rates_for_public(ctx, end)  # the six headline substances' Trends margins
    latest = queries.status()["status"]["latest_sample"] or dt.date.today()  # as views.alert_list asks
    queries.query("external_alerts", replace(ctx.f, start=latest - dt.timedelta(days=30), end=None))
    reader_counts.positivity_for_reader(ctx, "fentanyl", "week")
    public_pages.concentration(ctx)  # the audited Concentration table (seconds on the demo) and Expected vs found's
    public_pages.expected_found(ctx)
    alert_lists.public_board(dt.datetime.now(dt.timezone.utc))


def warm_code() -> None:
    """Load what the first figure and the first French page load once per process: plotly's validators and JSON
    writer, the French catalogue and babel's locale data."""
    frame = pd.DataFrame({"period": pd.to_datetime(["2026-01-05"]), "grp": ["a"], "share": [0.5], "lo": [0.1],
                          "hi": [0.9], "low_n": [False], "k_text": ["1"], "n_text": ["2"]})
    charts.in_language(charts.rate_lines(frame, "grp", str, str, ""), "fr").to_json()
    for lang in i18n.LANGUAGES:
        i18n.translator(lang)("Trends")
        i18n.format_date(dt.date(2026, 1, 5), lang)
        i18n.format_percent(0.5, lang)


def _at_start() -> None:
    try:
        warm_code()
        queries.data_version()  # a new version: views' warm-up runs every page's default queries, then ``warm``
    except Exception:  # a missing or busy warehouse: the first reader's page reports it, as it would have
        pass


def start() -> threading.Thread | None:
    """Hook ``warm`` into every new data version's warm-up and begin at once, in the background."""
    if not enabled():
        return None
    if warm not in queries.WARM_HOOKS:
        queries.WARM_HOOKS.append(warm)
    thread = threading.Thread(target=_at_start, name=THREAD, daemon=True)
    thread.start()
    return thread


@contextlib.asynccontextmanager
async def lifespan(_app):
    """The app's lifespan (app.py): start warming; the server does not wait for it."""
    start()
    yield
