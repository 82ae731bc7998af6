"""Counts, rates and tables as one reader may see them: exact for staff, suppressed for the public."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from .. import db, metrics, public_trends, public_week, suppression
from ..alerts.text import escape_markdown
from ..formula_guard import guard_frame
from .labels import method_names
from .queries import _protected, _version, query
from .reader import Context


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


def week_rates_for_public(ctx: Context, end) -> dict[str, dict[str, dict]]:
    """This week's and the previous week's rates of each headline substance among samples sold as an opioid, as
    cells of the public Trends margins (supplywatch.public_week), with n_text/k_text and the finds outside n."""
    path = str(db.warehouse_path())
    key = public_trends.outer(ctx.f).cache_key()
    shared = {t: _protected(_version(path), path, key, t, ctx.k) for t in metrics.HEADLINE_TARGETS}
    word = ctx._("suppressed")
    out = public_week.rates(shared, ctx.f, end)
    for week in out.values():
        for row in week.values():
            for count in ("n", "k"):
                row[f"{count}_text"] = suppression.label(row[count], row[f"{count}_status"], ctx.k, word, ctx.number)
            row["outside_text"] = suppression.label(row["outside"], row["outside_status"], ctx.k, word, ctx.number)
    return out


def bound_text(value: int, ctx: Context) -> str:
    """A count as this reader may see it where the public gets only a bound: exact for staff; for the public '0',
    '<k' or 'k or more' (Emerging's samples, This week's median and matched share: see docs/methods.md)."""
    value = int(value)
    if ctx.staff or value == 0:
        return ctx.number(value)
    if value < ctx.k:
        return suppression.label(value, suppression.SMALL, ctx.k, ctx._("suppressed"), ctx.number)
    return ctx._("{k} or more").format(k=ctx.number(ctx.k))


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


def text_table(rows: list[dict], columns: dict[str, str]) -> None:
    """A handful of rows of text as a plain table (markdown, drawn as an HTML ``<table>`` with header cells), each
    cell escaped so it shows as text. For small tables nobody sorts or downloads: unlike :func:`table`'s grid it
    makes a new tab load no data-grid code (about 1.3 MB of JavaScript on the home page; docs/benchmarks.md)."""
    def cell(value) -> str:
        return escape_markdown(" ".join(str(value if value is not None else "").split())) or " "

    lines = ["| " + " | ".join(cell(title) for title in columns.values()) + " |",
             "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows]
    st.markdown("\n".join(lines))


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
