"""Streamlit glue for the supply pages: sidebar filters in the URL, language, banner, cached queries, display helpers.

The only module besides app_pages/ and dashboard.py that imports Streamlit. Cached results hold aggregates of
the shared warehouse only, keyed by the data version; who is signed in decides suppression after the cache.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from dataclasses import dataclass, replace
from typing import Callable

import pandas as pd
import streamlit as st

from . import (db, i18n, metrics, overdose_periods, public_headline, public_trends, run_snapshot, sample_table,
               suppression)
from .dictionary import substance_label
from .filters import QUERY_KEYS, SAMPLE_TYPES, Filters
from .formula_guard import guard_frame
from .weblinks import public_link

STAFF_ROLES = ("poster", "reviewer", "admin")
QUERIES: dict[str, Callable] = {
    "positivity": metrics.positivity,
    "positivity_by_method": metrics.positivity_by_method,
    "expected_found": metrics.expected_found,
    "concentration_by_month": metrics.concentration_by_month,
    "concentration_histogram": metrics.concentration_histogram,
    "headline": metrics.headline,
    "first_detections": metrics.first_detections,
    "unknown_substances": metrics.unknown_substances,
    "overdose_series": metrics.overdose_series,
    "overdose_newest": lambda con, f: overdose_periods.newest_by_source(con),
    "external_alerts": metrics.external_alerts,
    "samples": sample_table.samples,
    "sample_count": sample_table.count,
    "load_history": lambda con, f: metrics.load_history(con),
    "reject_reasons": lambda con, f: metrics.reject_reasons(con),
    "reject_summary": lambda con, f: metrics.reject_summary(con),
    "reject_rows": lambda con, f: metrics.reject_rows(con),
    "sample": lambda con, f, sample_id: sample_table.sample(con, sample_id),
}
FIELD_ORDER = ("start", "end", "region", "site", "expected", "sample_type")
# The queries each page runs with no filters and its default controls (same arguments, so the same cache
# keys): warmed in the background after every load, and timed by bench/pages.py.
PAGE_DEFAULT_QUERIES: dict[str, list[tuple[str, dict]]] = {
    "overview": [("headline", {}), ("first_detections", {"lookback_days": 180, "new_only": True}),
                 ("external_alerts", {})],
    "trends": [("positivity", {"targets": ("fentanyl",), "period": "week", "group": None, "population": "all"})],
    "concentration": [("concentration_by_month", {}), ("concentration_histogram", {"width": 5.0})],
    "expected_found": [("expected_found", {"top": 10})],
    "emerging": [("first_detections", {"lookback_days": 180}), ("unknown_substances", {})],
    "samples": [("sample_count", {}), ("samples", {"search": None, "limit": 500})],
    "overdoses": [("overdose_series", {}), ("overdose_newest", {}), ("external_alerts", {}),
                  ("positivity", {"targets": ("fentanyl",), "period": "week"})],
    "data": [("load_history", {}), ("reject_reasons", {}), ("reject_rows", {}), ("unknown_substances", {})],
}
_warmed: set[tuple[str, str]] = set()
# per warehouse, process-wide (nothing per user): the last version read, and why the current one cannot be
_last_good: dict[str, str] = {}
_unavailable: dict[str, str] = {}
_warm_lock = threading.Lock()


# ------------------------------------------------------------------ data access

@st.cache_resource(show_spinner=False)
def warehouse(path: str) -> db.Warehouse:
    """One read-only Warehouse per file for the whole server (it holds no per-user data)."""
    db.ensure_warehouse(path)
    return db.Warehouse(path)


def _version(path: str) -> str:
    """The snapshot's version token: a stat of the file, cheap enough to ask on every query.

    The first time a version is seen, a background thread fills the shared cache with every page's default
    view, so the first reader after a load does not wait for the cold queries (SUPPLYWATCH_WARM_CACHE=0
    turns this off, e.g. to measure cold pages).
    """
    if run_snapshot.pinned(path):  # this run already read one: every query of a page reads the same snapshot
        return run_snapshot.pinned(path)
    warehouse(path)
    try:
        version = db.data_version(path)
        _last_good[path] = version
        _unavailable.pop(path, None)
    except db.WarehouseUnavailable as exc:  # a lake whose catalog is down: keep serving what is cached
        if path not in _last_good:
            raise
        version = _last_good[path]
        _unavailable[path] = str(exc)
    if os.environ.get("SUPPLYWATCH_WARM_CACHE", "1") != "0":
        with _warm_lock:
            fresh = (path, version) not in _warmed
            _warmed.add((path, version))
        if fresh:
            threading.Thread(target=_warm, args=(path, version), name="supplywatch-warm", daemon=True).start()
    run_snapshot.pin(path, version)
    return version


def _warm(path: str, version: str) -> None:
    """Run every page's default queries once into the cache (aggregates only: nothing per user)."""
    key = Filters().cache_key()
    for queries in PAGE_DEFAULT_QUERIES.values():
        for name, kwargs in queries:
            try:
                _cached(name, version, path, key, tuple(sorted(kwargs.items())))
            except Exception:  # a swapped or removed file: the page itself will report or retry
                return
    try:  # the public Trends and Overdoses default view
        _protected(version, path, key, "fentanyl", suppression.k_from_env())
    except Exception:
        return


def cursor() -> "db.duckdb.DuckDBPyConnection":
    """A fresh read-only cursor on the current snapshot (one per call: cursors are per thread)."""
    return warehouse(str(db.warehouse_path())).cursor()


def data_version() -> str:
    """The current snapshot's version token (creates an empty warehouse if none exists yet)."""
    return _version(str(db.warehouse_path()))


def data_unavailable() -> str | None:
    """Why the current data version could not be read (the warehouse's catalog is down), or None."""
    return _unavailable.get(str(db.warehouse_path()))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, version: str, path: str, fkey: tuple, kwargs: tuple):
    f = Filters(**dict(zip(FIELD_ORDER, fkey)))
    return QUERIES[name](warehouse(path).cursor(version), f, **dict(kwargs))  # that version's snapshot, on a lake


@st.cache_resource(show_spinner=False, max_entries=64)
def _protected(version: str, path: str, fkey: tuple, target: str, k: int) -> public_trends.Protected:
    """A substance's public trend margins for one data version and date range (all sample types), shared
    read-only by every public reader (aggregates only; kept as one object, since unpickling it on every view would
    cost more than reading it)."""
    f = Filters(**dict(zip(FIELD_ORDER, fkey)))
    return public_trends.protected(warehouse(path).cursor(version), f, target, k)


@st.cache_resource(show_spinner=False, max_entries=16)
def _protected_checked(version: str, path: str, fkey: tuple, k: int):
    """The public overview's window and protected "Samples checked" margins for one data version and date range
    (aggregates only, shared read-only by every public reader)."""
    f = Filters(**dict(zip(FIELD_ORDER, fkey)))
    return public_headline.protected(warehouse(path).cursor(version), f, k)


def checked_for_public(ctx: "Context") -> tuple:
    """The public "this week" (its last day, the same under every region, site, "sold as" and type filter) and
    the samples checked in it and the week before, with statuses decided across all those filters."""
    path = str(db.warehouse_path())
    end, shared = _protected_checked(_version(path), path, public_headline.outer(ctx.f).cache_key(), ctx.k)
    return end, public_headline.checked_of(shared, ctx.f)


def query(name: str, f: Filters, **kwargs):
    """Run a registered metrics query, cached by (data version, filters, arguments); language is not a key."""
    path = str(db.warehouse_path())
    version = _version(path)
    return _cached(name, version, path, f.cache_key(), tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=16)
def _status(version: str, path: str) -> dict:
    con = warehouse(path).cursor(version)
    return {"status": metrics.data_status(con), "options": metrics.filter_options(con)}


def status() -> dict:
    """Data-as-of facts and sidebar options for the current snapshot."""
    path = str(db.warehouse_path())
    return _status(_version(path), path)


# ------------------------------------------------------------------ who is reading, and in which language

def is_staff() -> bool:
    """True for a signed-in staff user (set by the alerts sign-in as st.session_state['sw_user'])."""
    user = st.session_state.get("sw_user")
    return isinstance(user, dict) and user.get("role") in STAFF_ROLES


def suppress_k() -> int:
    """k for small-cell suppression: env SUPPLYWATCH_SUPPRESS_K, else secrets 'suppress_k', else 5."""
    try:
        secret = st.secrets.get("suppress_k")
    except Exception:  # no secrets file: the default applies
        secret = None
    default = int(secret) if isinstance(secret, int) or (isinstance(secret, str) and secret.isdigit()) else 5
    return suppression.k_from_env(max(2, default))


def current_lang() -> str:
    """'en' or 'fr': session state first, then the ``lang`` query parameter (also seeds the session)."""
    lang = st.session_state.get("lang")
    if lang not in i18n.LANGUAGES:
        lang = st.query_params.get("lang", "en")
        lang = lang if lang in i18n.LANGUAGES else "en"
        st.session_state["lang"] = lang
    return lang


@functools.lru_cache(maxsize=4096)
def _number(value, lang: str, digits: int) -> str:
    return i18n.format_number(value, lang, digits)


@functools.lru_cache(maxsize=4096)
def _date(value: dt.date, lang: str) -> str:
    return i18n.format_date(value, lang)


@dataclass
class Context:
    """What a page needs: filters, language, translator, whether counts are exact, and k."""

    f: Filters
    lang: str
    _: Callable[[str], str]
    staff: bool
    k: int

    def number(self, value, digits: int = 0) -> str:
        return _number(value, self.lang, digits)

    def percent(self, share, digits: int = 0) -> str:
        return i18n.format_percent(share, self.lang, digits)

    def month(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, pd.Timestamp):
            value = value.date()
        return i18n.format_date(value, self.lang, "MMM y")

    def date(self, value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, pd.Timestamp):
            value = value.date()
        return _date(value, self.lang)


# ------------------------------------------------------------------ the sidebar

def _lang_changed() -> None:
    st.session_state["lang"] = st.session_state["_sw_lang_widget"]


def language_picker() -> str:
    """The EN/FR switch (drawn on every page by dashboard.py); the choice lives in st.session_state['lang']."""
    lang = current_lang()
    if st.session_state.get("_sw_lang_widget") != lang:
        st.session_state["_sw_lang_widget"] = lang
    st.sidebar.selectbox(
        i18n.translator(lang)("Language"), list(i18n.LANGUAGES), key="_sw_lang_widget",
        format_func=i18n.LANGUAGES.get, on_change=_lang_changed,
    )
    if lang != "en":
        st.query_params["lang"] = lang
    elif "lang" in st.query_params:
        del st.query_params["lang"]
    return lang


def _seed_widgets(page: str, first_date=None) -> None:
    """Give each filter widget its value: from the URL on a session's first run, else from the last filters.

    Streamlit resets a widget when the same key is drawn by another page, so the filters themselves are
    kept under the plain key 'sw_filters' and pushed back into the widgets whenever the page changes.
    """
    moved = st.session_state.get("_sw_sidebar_page") != page
    st.session_state["_sw_sidebar_page"] = page
    f = st.session_state.get("sw_filters")
    if f is None:
        f = Filters.from_query(st.query_params.to_dict())
    seeds = {
        "f_region": f.region,
        "f_site": f.site,
        "f_expected": f.expected,
        "f_type": f.sample_type,
        # a link with only "to" means "up to": the range starts at the first sample date (a one-date range
        # would be read as its start)
        "f_dates": tuple(d for d in (f.start or (first_date if f.end else None), f.end) if d),
    }
    for key, value in seeds.items():
        if moved or key not in st.session_state:
            st.session_state[key] = value


def sidebar(page: str = "") -> Context:
    """Draw the supply filters in the sidebar, mirror them into the URL, and return the page context."""
    lang = current_lang()
    _ = i18n.translator(lang)
    opts = status()["options"]
    _seed_widgets(page, opts["span"][0] if opts["span"] else None)
    everything = _("All")
    with st.sidebar:
        span = [d for d in opts["span"] if d]
        chosen = tuple(st.session_state.get("f_dates") or ())
        seen_span = st.session_state.get("_sw_span")
        if seen_span != tuple(span):
            # A load moved the data's span: a reader who had "all dates" keeps all dates, new ones included.
            if not chosen or chosen == seen_span:
                chosen = tuple(span)
                st.session_state["f_dates"] = chosen
            st.session_state["_sw_span"] = tuple(span)
        bounds = [*span, *chosen]
        picked = st.date_input(
            _("Dates"),
            key="f_dates",
            min_value=min(bounds) if bounds else None,
            max_value=max(bounds) if bounds else None,
            format="YYYY-MM-DD",
        )
        picked = tuple(picked) if isinstance(picked, (list, tuple)) else ((picked,) if picked else ())
        start = picked[0] if picked else None
        end = picked[1] if len(picked) > 1 else None
        if span and start == span[0] and end == span[-1]:
            start = end = None  # the whole span means "all dates": keep it out of the link

        def pick(label: str, key: str, options: list, name: Callable = str) -> str | None:
            current = st.session_state.get(key)
            values = [None, *options] + ([current] if current and current not in options else [])
            return st.selectbox(label, values, key=key, placeholder=everything,
                                format_func=lambda v: everything if v is None else name(v))

        region = pick(_("Region"), "f_region", opts["region"])
        site = pick(_("Site"), "f_site", opts["site"])
        expected = pick(_("Expected substance"), "f_expected", opts["expected"],  # 'heroin' is 'héroïne' in French
                        lambda v: substance_label(str(v), lang) or str(v))
        type_labels = {"drug": _("Drug"), "residue": _("Used equipment / residue")}
        sample_type = st.selectbox(
            _("Sample type"), [None, *SAMPLE_TYPES], key="f_type",
            format_func=lambda v: everything if v is None else type_labels[v], placeholder=everything,
        )
    f = Filters(start, end, region, site, expected, sample_type, lang)
    _sync_url(f)
    st.session_state["sw_filters"] = f
    return Context(f, lang, _, is_staff(), suppress_k())


def _sync_url(f: Filters) -> None:
    """Write the filters into the query string, touching only our own keys."""
    wanted = f.to_query()
    for key in QUERY_KEYS:
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def banner(ctx: Context) -> None:
    """Data as of (latest sample, last load), the synthetic-data flag, and what the reader's counts mean."""
    _ = ctx._
    info = status()["status"]
    if data_unavailable():
        st.warning(_("The shared data store is not answering: the figures below are the last ones read and may be"
                     " out of date."), icon="⚠️")
    if info["synthetic"]:
        st.warning(_("Synthetic demo data") + " — " + _("not real drug-checking results."), icon="⚠️")
    box = st.container(key=run_snapshot.element_key(data_version()))  # the version read, for tests: run_snapshot
    if info["latest_sample"] is None:
        box.info(_("No samples loaded yet."))
        return
    loaded = info["loaded_at"]
    text = _("Data as of {date} (latest sample); last loaded {loaded}.").format(
        date=ctx.date(info["latest_sample"]),
        loaded=i18n.format_datetime(loaded, ctx.lang, "short") if loaded else _("never"),
    )
    if ctx.staff:
        text += " " + _("Signed in as staff: exact counts are shown.")
    else:
        text += " " + _("Counts from 1 to {k1} are shown as <{k} to protect privacy.").format(k1=ctx.k - 1, k=ctx.k)
    box.caption(text)


def start_page(title: str) -> Context:
    """Title, context and banner: the first line of every supply page."""
    ctx = sidebar(title)
    st.title(ctx._(title))
    banner(ctx)
    chosen = filter_summary(ctx)
    if chosen:
        st.caption(ctx._("Showing: {filters}").format(filters=chosen))
    return ctx


def filter_summary(ctx: Context) -> str:
    """The filters in force, in words ('' when everything is shown), so a shared link says what it shows."""
    _ = ctx._
    f = ctx.f
    parts = []
    if f.start or f.end:
        parts.append(f"{ctx.date(f.start) or '…'} – {ctx.date(f.end) or '…'}")
    expected = f.expected and (substance_label(f.expected, ctx.lang) or f.expected)
    for label, value in ((_("Region"), f.region), (_("Site"), f.site), (_("Expected substance"), expected)):
        if value:
            parts.append(f"{label}: {value}")
    if f.sample_type:
        parts.append(f"{_('Sample type')}: {({'drug': _('Drug'), 'residue': _('Used equipment / residue')})[f.sample_type]}")
    return " · ".join(parts)


# ------------------------------------------------------------------ labels and suppressed display

def target_label(target: str, _: Callable[[str], str], lang: str = "en") -> str:
    """Reader-facing name of a substance or class slug; any other substance (an expected substance such as 'heroin')
    by its name in the substance dictionary for ``lang`` ('héroïne'), else as written."""
    labels = {
        "fentanyl": _("Fentanyl & analogues"),
        "carfentanil": _("Carfentanil"),
        "nitazene": _("Nitazenes"),
        "benzodiazepine": _("Benzodiazepine-related drugs"),
        "xylazine": _("Xylazine"),
        "medetomidine": _("Medetomidine"),
        "alpha2_sedative": _("Veterinary sedatives (xylazine, medetomidine)"),
        "opioid_other": _("Other opioids"),
        "opioid_unspecified": _("Opioid (unspecified)"),
        "stimulant": _("Stimulants"),
        "dissociative": _("Dissociatives"),
        "psychedelic": _("Psychedelics"),
        "synthetic_cannabinoid": _("Synthetic cannabinoids"),
        "cut": _("Cuts and buffers"),
        "precursor": _("Precursors and by-products"),
        "other": _("Other"),
        "unclassified": _("Unknown name"),
        "unknown": _("Sold as unknown"),
    }
    if target in labels:
        return labels[target]
    return substance_label(target, lang) or target


def counts_for_reader(df: pd.DataFrame, ctx: Context, n: str = "n", num: str = "k", group_by=()) -> pd.DataFrame:
    """Add n_text/k_text (and blank rates) as this reader may see them: exact for staff, suppressed otherwise."""
    if ctx.staff:
        out = df.copy()
        out["n_status"] = suppression.SHOWN
        out["k_status"] = suppression.SHOWN
    else:
        out = suppression.suppress_rates(df, ctx.k, n=n, num=num, group_by=group_by)
    word = ctx._("suppressed")
    out["n_text"] = [suppression.label(int(v), s, ctx.k, word, ctx.number) for v, s in zip(out[n], out["n_status"])]
    out["k_text"] = [suppression.label(int(v), s, ctx.k, word, ctx.number) for v, s in zip(out[num], out["k_status"])]
    return out


@dataclass
class Trend:
    """A trend as one reader may see it: rows with n_text/k_text (rates blanked where hidden), the total tested
    (``total`` exact, for deciding what to say; ``total_text`` as shown) and the note on finds outside it."""
    rows: pd.DataFrame
    total: int
    total_text: str
    outside_note: str


def positivity_for_reader(ctx: Context, target: str, period: str, group: str | None = None,
                          population: str = "all") -> Trend:
    """A trend as this reader may see it: exact for staff; for the public, read from the margins shared by every
    public trend view (supplywatch.public_trends), so no view's cells can be subtracted from another's."""
    if ctx.staff:
        df = query("positivity", ctx.f, targets=(target,), period=period, group=group, population=population)
        total = int(df["n"].sum()) if len(df) else 0
        outside = int(df["outside"].sum()) if len(df) else 0
        rows = counts_for_reader(df[df["n"] > 0], ctx, group_by=("grp",))
        return Trend(rows, total, count_text(total, ctx), outside_text(outside, target, ctx))
    path = str(db.warehouse_path())
    shared = _protected(_version(path), path, public_trends.outer(ctx.f).cache_key(), target, ctx.k)
    view = public_trends.view_of(shared, ctx.f, target, period, group, population)
    word = ctx._("suppressed")
    out = view.rows.copy()
    for count in ("n", "k"):
        out[f"{count}_text"] = [suppression.label(int(v), s, ctx.k, word, ctx.number)
                                for v, s in zip(out[count], out[f"{count}_status"])]
    outside = suppression.label(view.outside, view.outside_status, ctx.k, word, ctx.number)
    return Trend(out, view.total, suppression.label(view.total, view.total_status, ctx.k, word, ctx.number),
                 outside_text(view.outside, target, ctx, shown=outside))


def counts_text(values, ctx: Context, total_shown: bool = True) -> list[str]:
    """Several counts whose total is shown: primary plus complementary suppression for the public."""
    values = [int(v) for v in values]
    if ctx.staff:
        statuses = [suppression.SHOWN] * len(values)
    else:
        statuses = suppression.suppress_1d(values, ctx.k, total_shown)
    word = ctx._("suppressed")
    return [suppression.label(v, s, ctx.k, word, ctx.number) for v, s in zip(values, statuses)]


def count_text(value: int, ctx: Context) -> str:
    """A single count as this reader may see it (no total is shown beside it)."""
    status = suppression.SHOWN if ctx.staff else suppression.primary([value], ctx.k)[0]
    return suppression.label(int(value), status, ctx.k, ctx._("suppressed"), ctx.number)


def rate_text(row: dict, ctx: Context) -> str:
    """'72% (95% CI 43–90%), 8 of 11' or the suppressed equivalent."""
    _ = ctx._
    if row.get("share") is None or pd.isna(row.get("share")):
        return _("{k} of {n} (rate not shown)").format(k=row["k_text"], n=row["n_text"])
    return _("{share} (95% CI {lo}–{hi}), {k} of {n}").format(
        share=ctx.percent(row["share"]), lo=ctx.percent(row["lo"]), hi=ctx.percent(row["hi"]),
        k=row["k_text"], n=row["n_text"],
    )


def table(df: pd.DataFrame, columns: dict[str, str], ctx: Context, caption: str | None = None) -> None:
    """The accessible table alternative of a chart, with translated headers."""
    shown = df[[c for c in columns if c in df.columns]].rename(columns=columns)
    st.dataframe(guard_frame(shown), hide_index=True, width="stretch")  # the grid's own CSV/copy carry it
    if caption:
        st.caption(caption)


_LAST_APP_VERSION: list[str] = []  # the last token read, public data only: what the board shows when it cannot read
_RUN = threading.local()  # per script run (each session runs on its own thread): did this run read stale alerts?
# Shown over the public board while the app database (PostgreSQL) cannot be reached.
ALERTS_STALE = ("The alert list could not be refreshed just now: it shows what this server last read. The feeds,"
                " posters and plain web page keep the last published alerts.")


def alerts_stale() -> bool:
    """True when this run's community alerts come from the last read, the app database being out of reach."""
    return getattr(_RUN, "stale", False)


_RETRY_AFTER = [0.0]  # time.monotonic() before which an unreachable app database is not asked again
RETRY_SECONDS = 15.0  # a host that does not answer costs the connect timeout (5 s): once per 15 s, not every page
# On PostgreSQL the version is read at most once a second per process, however many readers and however many parts
# of a page (board, help directory) ask: each read is a connection; a published alert shows within a second. The
# app file's version is a stat, read every time.
VERSION_SECONDS = 1.0
_VERSION_READ: list[tuple[float, str]] = []  # (time.monotonic() read, token): public data, the same for everyone


def _app_file_version() -> str:
    """A token that changes whenever community alerts are written (db.app_version). When the app database cannot
    be reached, the last token this process read, so the board keeps showing the alerts it last cached; it is not
    asked again for RETRY_SECONDS, so supply pages listing alerts never wait on it page after page."""
    import time

    try:
        if time.monotonic() < _RETRY_AFTER[0]:
            raise db.AppStoreUnavailable("the app database was unreachable a moment ago")
        read_at, version = _VERSION_READ[0] if _VERSION_READ else (None, None)
        if read_at is None or time.monotonic() - read_at > VERSION_SECONDS or not db.app_db_url():
            version = db.app_version()
            _VERSION_READ[:] = [(time.monotonic(), version)]
    except db.AppStoreUnavailable:
        _VERSION_READ.clear()
        if time.monotonic() >= _RETRY_AFTER[0]:
            _RETRY_AFTER[0] = time.monotonic() + RETRY_SECONDS
        _RUN.stale = True
        if not _LAST_APP_VERSION:
            raise
        return _LAST_APP_VERSION[-1]
    _RUN.stale = False
    _LAST_APP_VERSION[:] = [version]
    return version


@st.cache_data(show_spinner=False, max_entries=8)
def _public_history(version: str) -> list:
    """Every version of a community alert that was ever public, read once per change of the app file; the board
    and the supply pages' alert lists derive what they show from it for the viewer's time."""
    from .alerts import store

    return list(store.history(dt.datetime.now(dt.timezone.utc)))


def public_board(now: dt.datetime) -> tuple[list, list]:
    """(active, past) alerts for the public board, read once per change of the app file (public data, shared).

    Expiry is recorded (and the feeds refreshed) only when a published alert is actually past its expiry, so
    an ordinary view neither writes nor opens the app file.
    """
    from .alerts import store

    try:
        public = _public_history(_app_file_version())
    except db.AppStoreUnavailable:  # nothing read yet by this server: an empty board under the banner, no traceback
        return [], []
    if any(a.status == "published" and a.expires_at <= now for a in public):
        try:
            store.expire_due(now)
        except Exception:  # a busy or read-only app file must never take the public board down
            pass
        public = _public_history(_app_file_version())
    return store.board(now, public)


def community_alerts(region: str | None) -> list[dict]:
    """Active community alerts for ``region`` (all when None), from the cached public history.

    Expiry is by time alone, so each call checks ``is_active`` on the cached versions.
    """
    try:
        public = _public_history(_app_file_version())
    except Exception:  # the alerts file being migrated or locked must not break a supply page
        public = []
    now = dt.datetime.now(dt.timezone.utc)
    found = [a for a in public if a.is_active(now) and (not region or region in a.regions)]
    out = [{"date": (a.published_at or a.created_at).date(), "alert": a} for a in found]
    return sorted(out, key=lambda r: r["date"], reverse=True)


def alert_list(ctx: Context, limit: int = 5) -> None:
    """Active community alerts for the reader's region, each a card linking to the full alert (what to do) on the
    alerts board; then external alerts of the last 30 days, newest first, as plain text (never HTML)."""
    from .alerts.text import escape_markdown

    _ = ctx._
    shown = 0
    for row in community_alerts(ctx.f.region)[:limit]:
        alert = row["alert"]
        text = alert.text_for(ctx.lang)
        severity = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}
        with st.container(border=True, key=f"sw-alert-{alert.alert_id}"):
            st.text(f"{ctx.date(row['date'])} · {severity.get(alert.severity, '')} · {text.headline}")
            # the board's deep link: the whole alert with its advice, in this session (language and filters kept)
            st.page_link("app_pages/alerts_board.py", label=escape_markdown(_("What to do and the full alert")),
                         icon=":material/arrow_forward:", query_params={"alert": alert.alert_id})
        shown += 1
    # Alerts issued elsewhere carry no expiry: show those from the 30 days before the newest sample.
    latest = status()["status"]["latest_sample"] or dt.date.today()
    recent = query("external_alerts", replace(ctx.f, start=latest - dt.timedelta(days=30), end=None))
    for i, r in enumerate(recent.head(max(0, limit - shown)).to_dict("records")):
        st.text(f"{ctx.date(r['issued_date'])} · {r['source']} · {r['title']}")
        link = public_link(r.get("link")) if isinstance(r.get("link"), str) else None
        if link and link.startswith(("https://", "http://")):
            st.link_button(_("Read the alert"), link, key=f"sw-alert-link-{i}")
        shown += 1
    if not shown:
        st.caption(_("No alerts for this area."))


def outside_text(outside: int, target: str, ctx: Context, shown: str | None = None) -> str:
    """'Also found by FTIR in N samples ...': finds outside a rate's denominator, as a count ('' for none);
    ``shown`` is the count as already protected for the public (default: this reader's view of ``outside``)."""
    if not outside:
        return ""
    _ = ctx._
    blind = metrics.capable_methods(target) - metrics.sensitive_methods(target)
    return _("Also found by {methods} in samples that no method sensitive enough tested: {count} (a count, not "
             "a rate: a negative result from {methods} means not detectable, not absent).").format(
        methods=method_names(blind, ctx.lang), count=shown if shown is not None else count_text(outside, ctx))


def method_names(methods, lang: str) -> str:
    """Reader-facing names of detection methods, from supplywatch.classes when it has them."""
    try:
        from .classes import method_label
    except ImportError:
        return ", ".join(sorted(methods))
    return ", ".join(sorted(method_label(m, lang) for m in methods))
