"""Concentration: fentanyl % by month (median and interquartile range, with n) and its distribution."""

import streamlit as st

from supplywatch import chart_summary, charts, histogram, views
from supplywatch.web import chart_frame

ctx = views.start_page("Fentanyl concentration")
_ = ctx._

monthly = views.query("concentration_by_month", ctx.f)
if monthly.empty:
    st.info(_("No quantified fentanyl results under these filters."))
    st.stop()

shown = monthly.copy()
if not ctx.staff:
    # A median of fewer than k results describes a handful of samples: hide it with its quartiles.
    small = (shown["n"] >= 1) & (shown["n"] < ctx.k)
    shown.loc[small, ["median", "q1", "q3"]] = None
shown["n_text"] = [views.count_text(int(v), ctx) for v in shown["n"]]

chart_name = _("Median fentanyl % by weight each month")
chart_frame.show(
    charts.in_language(charts.concentration(shown, _), ctx.lang), chart_name,
    chart_summary.over_time(_, chart_name, shown, ctx.month,
                            lambda r: f"{ctx.number(r['median'], 1)} % (n={r['n_text']})", y="median"),
    key="conc_chart",
)
st.caption(
    _("Median fentanyl % by weight each month among {n} quantified samples; bars span the middle half "
      "(25th to 75th percentile); hollow markers have fewer than 10 results.").format(
        n=views.count_text(int(monthly["n"].sum()), ctx))
)
with st.expander(_("Table")):
    views.table(
        shown.assign(
            period=[ctx.month(d) for d in shown["period"]],
            median=[ctx.number(v, 1) if v is not None and v == v else "—" for v in shown["median"]],
            q1=[ctx.number(v, 1) if v is not None and v == v else "—" for v in shown["q1"]],
            q3=[ctx.number(v, 1) if v is not None and v == v else "—" for v in shown["q3"]],
        ),
        {"period": _("Month"), "n_text": _("Quantified samples"), "median": _("Median %"),
         "q1": _("25th percentile"), "q3": _("75th percentile")},
        ctx,
    )

st.header(_("Distribution"))
hist = histogram.complete_bands(views.query("concentration_histogram", ctx.f, width=5.0), 5.0)
hist_text = views.counts_text(hist["n"], ctx)
labels = [f"{ctx.number(a)}–{ctx.number(a + 5)} %" for a in hist["lower"]]
shown = [t == ctx.number(int(v)) for t, v in zip(hist_text, hist["n"])]
hist_name = _("Quantified samples in each 5-point band of fentanyl %")
chart_frame.show(
    charts.bars(labels, [int(v) if ok else 0 for v, ok in zip(hist["n"], shown)], hist_text, _, _("Samples"),
                _("Fentanyl % by weight"), hidden=[None if ok else t for t, ok in zip(hist_text, shown)]),
    hist_name, chart_summary.bars(_, hist_name, labels, hist_text), key="conc_hist",
)
st.caption(_("How many quantified samples fall in each 5-point band of fentanyl %. A band with few samples "
             "shows <{k} (or 'suppressed') at its base instead of a bar; an empty band shows 0.").format(k=ctx.k))
with st.expander(_("Table"), expanded=False):
    views.table(hist.assign(band=labels, n_text=hist_text), {"band": _("Band"), "n_text": _("Samples")}, ctx)
