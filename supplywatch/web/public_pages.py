"""Concentration and Expected vs found as the public reads them: protected counts shared by every public reader.

Each page's protection is computed once per data version (aggregates only, nothing per user) and every public
view reads its cells from it (supplywatch.public_concentration, supplywatch.public_expected_found). Staff pages
do not come here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import db, metrics, public_concentration, public_expected_found, public_trends, suppression
from ..filters import Filters
from .queries import _protected, _version, query, warehouse
from .reader import Context


@st.cache_resource(show_spinner=False, max_entries=8)
def _concentration(version: str, path: str, k: int):
    return public_concentration.protected(warehouse(path).cursor(version), k)


@st.cache_resource(show_spinner=False, max_entries=8)
def _expected_found(version: str, path: str, k: int, top: int):
    return public_expected_found.protected(warehouse(path).cursor(version), k, top)


def _label(value: int, status: str, ctx: Context) -> str:
    return suppression.label(int(value), status, ctx.k, ctx._("suppressed"), ctx.number)


def notes(ctx: Context, every_date: bool = False) -> None:
    """One line when the sidebar sets a filter the public page leaves out; one on the dates read (``every_date``:
    the page covers every date whatever the range; else whole public months)."""
    _ = ctx._
    if public_concentration.ignored(ctx.f) or (every_date and (ctx.f.start or ctx.f.end)):
        st.caption(_("Site, “sold as”, sample type and date filters are for signed-in staff: for the public, "
                     "this page covers every date and shows all of them.") if every_date else
                   _("Site, “sold as” and sample type filters are for signed-in staff: this page shows all of "
                     "them."))
    if not every_date and (ctx.f.start or ctx.f.end):
        first, last = public_trends.covered_days(ctx.f, "month")
        st.caption(_("Counts cover whole periods: {first} to {last}.").format(
            first=ctx.date(first) if first else "…", last=ctx.date(last) if last else "…"))


def concentration(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(monthly, histogram) for the public: monthly n with median and quartiles (hidden under k results), and
    the 5-point bands over every date, each count with ``n_text``."""
    path = str(db.warehouse_path())
    prot = _concentration(_version(path), path, ctx.k)
    counts = public_concentration.monthly(prot, ctx.f)
    medians = query("public_concentration_months", public_concentration.public_filters(ctx.f))
    monthly = counts.merge(medians.drop(columns="n"), on="period", how="left")
    small = (monthly["n"] >= 1) & (monthly["n"] < ctx.k)
    monthly.loc[small, ["median", "q1", "q3"]] = None
    monthly["low_n"] = (monthly["n"] < metrics.LOW_N) & (monthly["n_status"] != suppression.COMPLEMENTARY)
    monthly["n_text"] = [_label(v, s, ctx) for v, s in zip(monthly["n"], monthly["n_status"])]
    hist = public_concentration.histogram(prot, ctx.f.region)
    hist["n_text"] = [_label(v, s, ctx) for v, s in zip(hist["n"], hist["n_status"])]
    return monthly, hist


def expected_found(ctx: Context, top: int = 10) -> dict[str, pd.DataFrame]:
    """The page's three views for the public, each count with its status (and text for the match table)."""
    path = str(db.warehouse_path())
    version = _version(path)
    pub = _expected_found(version, path, ctx.k, top)
    key = public_trends.outer(Filters()).cache_key()

    def trends(target: str):
        """Trends' public margins, which some of the page's counts read: the Trends page's cached objects (the
        warm-up of a data version, which runs this page's default view, computes the ones it needs)."""
        return _protected(version, path, key, target, ctx.k)

    f = public_expected_found.public_filters(ctx.f)
    match = public_expected_found.match(pub, f, trends)
    if len(match):
        match["n_text"] = [_label(v, s, ctx) for v, s in zip(match["n"], match["n_status"])]
        match["k_text"] = [_label(v, s, ctx) for v, s in zip(match["matched"], match["k_status"])]
        least = ctx.number(4 * ctx.k)
        match["rounded_text"] = [None if r is None else ctx._("about {share} of {n} or more").format(
            share=ctx.percent(r), n=least) for r in match["rounded"]]
    return {"match": match, "matrix": public_expected_found.matrix(pub, f, trends),
            "pairs": public_expected_found.pairs(pub, f)}


def rounded_bars(match: pd.DataFrame) -> pd.DataFrame:
    """The match rows for the bar chart: a row with only a rounded share (supplywatch.public_expected_found) is
    drawn at it, with no interval, its note saying 'about ...' instead of the counts."""
    if "rounded" not in match or match.empty:
        return match
    out = match.copy()
    rounded = out["share"].isna() & out["rounded"].notna()
    for col in ("share", "lo", "hi"):
        out[col] = [r if use else v for v, r, use in zip(out[col], out["rounded"], rounded)]
    out["note"] = [t if use else None for t, use in zip(out["rounded_text"], rounded)]
    return out
