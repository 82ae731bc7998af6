"""Expected vs found: match rate by what people expected, what they got instead, and which substances come together."""

import pandas as pd
import streamlit as st

from supplywatch import chart_summary, charts, display_names, suppression, views
from supplywatch.web import chart_frame, phone_layout, public_pages
from supplywatch.formula_guard import guard_frame

ctx = views.start_page("Expected vs found")
_ = ctx._

if ctx.staff:
    found = views.query("expected_found", ctx.f, top=10)  # match rates, class matrix and pairs: one pass
else:
    # The public reads every date and one region at most, every count from shared safe blocks
    # (supplywatch.public_expected_found).
    public_pages.notes(ctx, every_date=True)
    found = public_pages.expected_found(ctx)
match = found["match"]
if match.empty:
    st.info(_("No FTIR- or lab-tested samples with an expected substance under these filters."))
    st.stop()

shown = views.counts_for_reader(match, ctx, num="matched") if ctx.staff else match


def name(slug: str) -> str:
    """One casing for every substance and class on this page (the dictionary's display names)."""
    return display_names.display_name(slug, lambda t: views.target_label(t, _, ctx.lang), ctx.lang)


def public_grid(cells: pd.DataFrame, row: str, col: str, grid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid with hidden cells drawn as 0, and each cell's text (its count, <k or 'suppressed'), from the
    statuses the public counts were given."""
    status = cells.pivot(index=row, columns=col, values="status").fillna(suppression.SHOWN)
    status.index, status.columns = grid.index, grid.columns
    word = _("suppressed")
    text = pd.DataFrame(
        [[suppression.label(int(v), s, ctx.k, word, ctx.number) for v, s in zip(grid.iloc[r], status.iloc[r])]
         for r in range(len(grid))], index=grid.index, columns=grid.columns)
    return grid.where(status == suppression.SHOWN, 0), text


shown["label"] = [name(e) + (f" ({_('low n')})" if low else "")
                  for e, low in zip(shown["expected"], shown["low_n"])]
st.header(_("Did people get what they expected?"))
match_name = _("Share where the expected substance was found")
# for the public, a row whose exact share is hidden is drawn at its rounded share, saying so, with no interval
bars = shown if ctx.staff else public_pages.rounded_bars(shown)
chart_frame.show(charts.rate_bars(bars, "label", _, match_name), match_name,
                 chart_summary.bars(_, match_name, list(shown["label"]),
                                    [r.get("rounded_text") or f"{ctx.percent(r['share'])} ({r['k_text']}/{r['n_text']})"
                                     for r in shown.to_dict("records")]),
                 key="ef_match")
st.caption(_("Share of FTIR- or lab-tested samples in which the expected substance (or, for a class such as "
             "'unknown opioid', any drug of that class) was found, with 95% confidence intervals."))
unexpected = match.drop(columns=["share", "lo", "hi"]).rename(
    columns={"unexpected_share": "share", "unexpected_lo": "lo", "unexpected_hi": "hi"})
if ctx.staff:
    unexpected = views.counts_for_reader(unexpected, ctx, num="unexpected")
else:
    unexpected["k_text"] = [suppression.label(int(v), s, ctx.k, _("suppressed"), ctx.number)
                            for v, s in zip(unexpected["unexpected"], unexpected["u_status"])]
with st.expander(_("Table")):
    views.table(
        shown.assign(
            # the public's rounded share where the exact one is hidden (supplywatch.public_expected_found)
            share_text=[r.get("rounded_text") or views.rate_text(r, ctx) for r in shown.to_dict("records")],
            unexpected_text=[views.rate_text(r, ctx) for r in unexpected.to_dict("records")],
        ),
        {"label": _("Expected"), "n_text": _("Tested"), "share_text": _("Expected substance found"),
         "unexpected_text": _("Something else active found")},
        ctx,
    )

st.header(_("What people got instead"))
cells = found["matrix"]
if not cells.empty:
    grid = cells.pivot(index="expected_class", columns="found_class", values="n").fillna(0).astype("int64")
    grid.index = [name(i) for i in grid.index]
    grid.columns = [name(c) for c in grid.columns]
    if ctx.staff:
        text = grid.map(ctx.number)
    else:
        grid, text = public_grid(cells, "expected_class", "found_class", grid)
    # a heat map on a wide screen; on a phone, where its cells cannot be read, the same numbers as a table
    with phone_layout.wide("ef-matrix"):
        chart_frame.show(charts.matrix(grid, text, _("Found (class)"), _("Expected")), _("What people got instead"),
                         chart_summary.grid(_, _("What people got instead"), *grid.shape), key="ef_matrix")
    with phone_layout.narrow("ef-matrix"):
        st.dataframe(guard_frame(text), width="stretch", key="ef_matrix_narrow")
    st.caption(_("Samples by what was expected (rows) and each class of active drug found (columns); a sample "
                 "with several drugs counts in several columns. Each cell shows its count, <{k} for 1 to {k1} "
                 "samples, or 'suppressed' where its count could be worked out from the others.").format(
        k=ctx.k, k1=ctx.k - 1))
    with phone_layout.wide("ef-matrix-table"), st.expander(_("Table")):
        st.dataframe(guard_frame(text), width="stretch")

st.header(_("Which substances appear together"))
pairs = found["pairs"]
if not pairs.empty:
    grid = pairs.pivot(index="a", columns="b", values="n").fillna(0).astype("int64")
    grid.index = [name(i) for i in grid.index]
    grid.columns = [name(c) for c in grid.columns]
    if ctx.staff:
        text = grid.map(ctx.number)
    else:
        grid, text = public_grid(pairs, "a", "b", grid)
    with phone_layout.wide("ef-pairs"):
        chart_frame.show(charts.matrix(grid, text, "", ""), _("Which substances appear together"),
                         chart_summary.grid(_, _("Which substances appear together"), *grid.shape), key="ef_pairs")
    with phone_layout.narrow("ef-pairs"):
        st.dataframe(guard_frame(text), width="stretch", key="ef_pairs_narrow")
    st.caption(_("Number of FTIR- or lab-tested samples containing both substances; the diagonal is the number "
                 "containing each one. The ten most found substances are shown."))
    with phone_layout.wide("ef-pairs-table"), st.expander(_("Table")):
        st.dataframe(guard_frame(text), width="stretch")
