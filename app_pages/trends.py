"""Trends: positivity over time by substance or class, with n, 95% Wilson intervals and method-aware denominators."""

import pandas as pd
import streamlit as st

from supplywatch import chart_summary, charts, metrics, public_trends, views
from supplywatch.web import page_choices
from supplywatch.web import chart_frame

ctx = views.start_page("Trends")
_ = ctx._

TARGETS = metrics.TREND_TARGETS
c1, c2, c3, c4 = st.columns(4)
# Every choice is also in the URL (substance, interval, split, population, compare): a reload or a shared link
# shows the same view.
keep = page_choices.keep
target = keep("tr_target", "substance", TARGETS, TARGETS[0], lambda _s: c1.selectbox(
    _("Substance or class"), TARGETS, format_func=lambda t: views.target_label(t, _, ctx.lang), key="tr_target"))
PERIODS = ("week", "month")
period = keep("tr_period", "interval", PERIODS, "week", lambda _s: c2.radio(
    _("Period"), PERIODS, format_func={"week": _("Weekly"), "month": _("Monthly")}.get, key="tr_period"))
page_choices.seed("tr_methods", "compare", (False, True))  # read below, before its toggle is drawn
GROUPS = (None, "region", "expected")
group = keep("tr_group", "split", GROUPS, None, lambda _s: c3.radio(
    _("Split by"), GROUPS,
    format_func={None: _("Nothing"), "region": _("Region"), "expected": _("Expected substance")}.get, key="tr_group",
    disabled=bool(st.session_state.get("tr_methods")),  # the methods are the lines when comparing them
))
POPULATIONS = ("all", "opioid")
population = keep("tr_population", "population", POPULATIONS, "all", lambda _s: c4.radio(
    _("Samples"), POPULATIONS,
    format_func={"all": _("All samples"), "opioid": _("Sold as an opioid")}.get, key="tr_population",
))
compare = keep("tr_methods", "compare", (False, True), False, lambda _s: st.toggle(
    _("Compare methods"), key="tr_methods",
    help=_("Each detection method's own rate side by side, to see why services using different methods differ."),
))
name = views.target_label(target, _, ctx.lang)
chart_name = (_("Weekly share of tested samples with {what}") if period == "week" else
              _("Monthly share of tested samples with {what}")).format(what=name)


def share_with_n(row: dict) -> str:
    """A point's value as the summary reads it: '34% (n=52)'."""
    return f"{ctx.percent(row['share'])} (n={row['n_text']})"

if compare:
    by_method = views.query("positivity_by_method", ctx.f, target=target, period=period, population=population)
    if by_method.empty:
        st.info(_("No samples tested for this under these filters."))
        st.stop()
    shown = views.counts_for_reader(by_method, ctx, group_by=("method",))

    def method_name(m) -> str:
        """The method's name, marked when its negative result does not mean 'not there' for this target."""
        text = views.method_names([m], ctx.lang)
        return text if m in metrics.sensitive_methods(target) else _("{method} (not sensitive enough)").format(
            method=text)

    chart_frame.show(
        charts.in_language(charts.rate_lines(shown, "method", method_name, _, _("Share of samples each method tested")),
                           ctx.lang),
        chart_name, chart_summary.over_time(_, chart_name, shown, ctx.date, share_with_n, "method", method_name),
        key="tr_methods_chart",
    )
    st.caption(_("Each line is the share of samples in which one method found {what}, among the samples that "
                 "method tested; a sample tested by two methods counts in both. A method marked not sensitive "
                 "enough misses {what} at the amounts usually found: its negative result means not detectable, "
                 "not absent, so its rate is lower than the truth.").format(what=name))
    with st.expander(_("Table")):
        views.table(
            shown.assign(
                period=[ctx.date(d) for d in shown["period"]],
                method=[method_name(m) for m in shown["method"]],
                share_text=[ctx.percent(v) if v is not None and not pd.isna(v) else "—" for v in shown["share"]],
            ),
            {"period": _("Period start"), "method": _("Method"), "k_text": _("Found"), "n_text": _("Tested"),
             "share_text": _("Share")},
            ctx,
        )
    st.stop()

trend = views.positivity_for_reader(ctx, target, period, group, population)
shown = trend.rows
if shown.empty:
    st.info(_("No samples tested for this under these filters.") if not trend.total and not trend.outside_note else
            _("No sample under these filters was tested by a method sensitive enough to detect {what} ({methods})."
              ).format(what=name, methods=views.method_names(metrics.sensitive_methods(target), ctx.lang)))
    if trend.outside_note:
        st.caption(trend.outside_note)
    st.stop()

series = "grp" if group else "target"
label = (lambda g: str(g)) if group == "region" else (lambda t: views.target_label(str(t), _, ctx.lang))
chart_frame.show(
    charts.in_language(charts.rate_lines(shown, series, label, _, _("Share of tested samples")), ctx.lang),
    chart_name, chart_summary.over_time(_, chart_name, shown, ctx.date, share_with_n, series if group else None,
                                        label),
    key="tr_chart",
)
methods = views.method_names(metrics.sensitive_methods(target), ctx.lang)
st.caption(
    _("Share of samples with {what} found, among {n} samples tested by a method sensitive enough to detect it "
      "({methods}). Shaded bands are 95% confidence intervals; hollow markers have fewer than {low} samples.").format(
        what=name, n=trend.total_text, methods=methods, low=metrics.LOW_N
    )
)
if trend.outside_note:
    st.caption(trend.outside_note)
hidden = int(shown["share"].isna().sum())
if hidden:
    st.caption(_("{count} points are not drawn because their counts are suppressed.").format(count=hidden))
if period == "month" and not ctx.staff:  # supplywatch.public_trends.month_of_week
    st.caption(_("Months are whole weeks (Monday to Sunday): each week counts in the month that holds its "
                 "Thursday."))
if not ctx.staff and (ctx.f.start or ctx.f.end):
    first, last = public_trends.covered_days(ctx.f, period)
    st.caption(_("Counts cover whole periods: {first} to {last}.").format(
        first=ctx.date(first) if first else "…", last=ctx.date(last) if last else "…"))
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
