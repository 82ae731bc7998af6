"""Trends: positivity over time by substance or class, with n, 95% Wilson intervals and method-aware denominators."""

import streamlit as st

from supplywatch import charts, metrics, views

ctx = views.start_page("Trends")
_ = ctx._

TARGETS = (*metrics.HEADLINE_TARGETS, "alpha2_sedative", "opioid_other", "stimulant", "cut")
c1, c2, c3, c4 = st.columns(4)
target = c1.selectbox(_("Substance or class"), TARGETS, format_func=lambda t: views.target_label(t, _), key="tr_target")
period = c2.radio(
    _("Period"), ("week", "month"), format_func={"week": _("Weekly"), "month": _("Monthly")}.get, key="tr_period"
)
group = c3.radio(
    _("Split by"), (None, "region", "expected"),
    format_func={None: _("Nothing"), "region": _("Region"), "expected": _("Expected substance")}.get, key="tr_group",
)
population = c4.radio(
    _("Samples"), ("all", "opioid"),
    format_func={"all": _("All samples"), "opioid": _("Sold as an opioid")}.get, key="tr_population",
)

shown, total = views.positivity_for_reader(ctx, target, period, group, population)
if shown.empty:
    st.info(_("No samples tested for this under these filters."))
    st.stop()

series = "grp" if group else "target"
label = (lambda g: str(g)) if group == "region" else (lambda t: views.target_label(str(t), _))
name = views.target_label(target, _)
st.plotly_chart(
    charts.rate_lines(shown, series, label, _, _("Share of tested samples")), width="stretch", key="tr_chart"
)
methods = views.method_names(metrics.capable_methods(target), ctx.lang)
st.caption(
    _("Share of samples with {what} found, among {n} samples tested by a method able to detect it ({methods}). "
      "Bars are 95% confidence intervals; hollow markers have fewer than {low} samples.").format(
        what=name, n=total, methods=methods, low=metrics.LOW_N
    )
)
hidden = int(shown["share"].isna().sum())
if hidden:
    st.caption(_("{count} points are not drawn because their counts are suppressed.").format(count=hidden))
with st.expander(_("Table")):
    table = shown.assign(
        period=[ctx.date(d) for d in shown["period"]],
        grp=[label(g) if g is not None else "" for g in shown[series]] if group else "",
        share_text=[ctx.percent(v) if v is not None else "—" for v in shown["share"]],
        ci=[f"{ctx.percent(a)}–{ctx.percent(b)}" if a is not None else "—" for a, b in zip(shown["lo"], shown["hi"])],
        low=[_("low n") if v else "" for v in shown["low_n"]],
    )
    views.table(
        table,
        {"period": _("Period start"), "grp": _("Group"), "k_text": _("Found"), "n_text": _("Tested"),
         "share_text": _("Share"), "ci": _("95% CI"), "low": _("Note")},
        ctx,
    )
