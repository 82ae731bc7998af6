"""Concentration: fentanyl % by month (median and interquartile range, with n) and its distribution."""

import streamlit as st

from supplywatch import chart_summary, charts, histogram, views
from supplywatch.web import chart_frame, public_pages

ctx = views.start_page("Fentanyl concentration")
_ = ctx._

if ctx.staff:
    monthly = views.query("concentration_by_month", ctx.f)
    shown = monthly.copy()
    shown["n_text"] = [views.count_text(int(v), ctx) for v in shown["n"]]
    hist = histogram.complete_bands(views.query("concentration_histogram", ctx.f, width=5.0), 5.0)
    hist_text = views.counts_text(hist["n"], ctx)
else:
    # The public reads whole public months and one region at most; counts come from one audited table
    # (supplywatch.public_concentration), the histogram over every date.
    public_pages.notes(ctx)
    shown, bands = public_pages.concentration(ctx)
    hist = histogram.complete_bands(bands[["lower", "n"]], 5.0)
    texts = dict(zip(bands["lower"].astype(float), bands["n_text"]))
    hist_text = [texts.get(float(a), ctx.number(0)) for a in hist["lower"]]
if shown.empty:
    st.info(_("No quantified fentanyl results under these filters."))
    st.stop()

chart_name = _("Median fentanyl % by weight each month")
chart_frame.show(
    charts.in_language(charts.concentration(shown, _), ctx.lang), chart_name,
    chart_summary.over_time(_, chart_name, shown, ctx.month,
                            lambda r: f"{ctx.number(r['median'], 1)} % (n={r['n_text']})", y="median"),
    key="conc_chart",
)
if ctx.staff:
    st.caption(
        _("Median fentanyl % by weight each month among {n} quantified samples; bars span the middle half "
          "(25th to 75th percentile); hollow markers have fewer than 10 results.").format(
            n=views.count_text(int(shown["n"].sum()), ctx))
    )
else:
    st.caption(_("Median fentanyl % by weight each month among quantified samples; bars span the middle half "
                 "(25th to 75th percentile); hollow markers have fewer than 10 results."))
    st.caption(_("Months are whole weeks (Monday to Sunday): each week counts in the month that holds its "
                 "Thursday."))
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
if not ctx.staff:
    st.caption(_("The distribution covers every date: one month's would give away counts hidden in the months "
                 "above."))
with st.expander(_("Table"), expanded=False):
    views.table(hist.assign(band=labels, n_text=hist_text), {"band": _("Band"), "n_text": _("Samples")}, ctx)
