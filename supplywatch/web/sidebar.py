"""The shared sidebar: the supply filters mirrored into the URL, the data banner and the
first lines of every supply page."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from .. import i18n, local_time, run_snapshot
from ..dictionary import substance_label
from ..filters import QUERY_KEYS, SAMPLE_TYPES, Filters
from .queries import data_unavailable, data_version, status
from . import language
from .reader import Context, is_staff, suppress_k


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
    lang = language.current()
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
    f = Filters(start, end, region, site, expected, sample_type)
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
        loaded=local_time.format_local(loaded, ctx.lang) if loaded else _("never"),  # the deployment's zone
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
