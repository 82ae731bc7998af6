"""Overdoses: events over time by region and measure, against a supply signal, with alert dates and lags marked."""


import pandas as pd
import streamlit as st

from supplywatch import chart_summary, charts, metrics, overdose_chart, overdose_periods, views
from supplywatch.web import page_choices
from supplywatch.web import chart_frame
from supplywatch.filters import Filters

LAG_DAYS = overdose_periods.LAG_DAYS  # the newest four weeks each source has are labelled as possibly incomplete

ctx = views.start_page("Overdoses")
_ = ctx._
events = views.query("overdose_series", ctx.f)
if events.empty:
    st.info(_("No overdose data under these filters."))
    st.stop()

MEASURES = {"ems": _("Paramedic (EMS) calls"), "ed_visits": _("Emergency department visits"),
            "hospitalizations": _("Hospitalizations"), "deaths": _("Deaths"), "non_fatal": _("Non-fatal overdoses"),
            "other": _("Other")}
c1, c2, c3, c4 = st.columns(4)
# Every choice is also in the URL (measure, unit, signal, periods, show): a reload or a shared link keeps it.
keep = page_choices.keep
present = set(events["measure"])
measures = [m for m in MEASURES if m in present] + sorted(present - set(MEASURES))
measure = keep("od_measure", "measure", measures, measures[0], lambda _s: c1.selectbox(
    _("Measure"), measures, format_func=lambda m: MEASURES.get(m, m), key="od_measure"))
part = events[events["measure"] == measure]
UNITS = {"count": _("Count"), "rate": _("Rate"), "age_adjusted_rate": _("Age-adjusted rate"), "percent": _("Percent")}
units = sorted(part["unit"].unique())
unit = keep("od_unit", "unit", units, units[0], lambda _s: c2.selectbox(
    _("Unit"), units, format_func=lambda u: UNITS.get(u, u), key="od_unit"))
target = keep("od_target", "signal", metrics.HEADLINE_TARGETS, metrics.HEADLINE_TARGETS[0], lambda _s: c3.selectbox(
    _("Supply signal"), metrics.HEADLINE_TARGETS, format_func=lambda t: views.target_label(t, _, ctx.lang),
    key="od_target"))
part = overdose_periods.with_kind(part[part["unit"] == unit])
# One line holds one kind of period: a year beside its quarters would read as a jump in harms.
kinds = overdose_periods.kinds(part)
finest = overdose_periods.finest_covering(part, ctx.f.start, ctx.f.end)
kind = keep("od_kind", "periods", kinds, finest, lambda seeded: c4.selectbox(
    _("Periods"), kinds, format_func=lambda k: overdose_periods.kind_label(k, _), key="od_kind",
    **({} if seeded else {"index": kinds.index(finest)})))
part = part[part["kind"] == kind].copy()

# Counts from 1 to k-1 are suppressed for the public like any other small cell; the source's own
# suppression ('<5', 'Suppr.') is kept and shown as suppressed, never as zero.
if unit == "count" and not ctx.staff:
    small = part["value"].notna() & (part["value"] >= 1) & (part["value"] < ctx.k)
    part.loc[small, "value_label"] = f"<{ctx.k}"
    part.loc[small, "suppressed"] = True
    part.loc[small, "value"] = None
part["line"] = part["substance"]
if kind.startswith("rolling_"):  # named in the legend and the table, so no point reads as a single month
    rolling_text = " · " + _("rolling {n} months").format(n=kind.split("_", 1)[1])
    part["line"] += rolling_text
    part["period_label"] += rolling_text
# One small panel per region (five lines in one plot could not be told apart), or the one region chosen.
regions = sorted(part["region"].dropna().unique())
ALL = "all"
shown_region = keep("od_region", "show", [ALL, *regions], ALL, lambda _s: st.selectbox(
    _("Regions shown"), [ALL, *regions], format_func=lambda r: _("Each region in its own panel") if r == ALL else r,
    key="od_region"))
if shown_region != ALL:
    part = part[part["region"] == shown_region]

supply = views.positivity_for_reader(ctx, target, "week").rows
supply = supply[supply["share"].notna()]
alerts = views.query("external_alerts", ctx.f)
# external dates arrive as Timestamps, community ones as dates: one type, or sorting a mix raises TypeError
alert_dates = sorted({pd.Timestamp(d) for d in alerts["issued_date"]}
                     | {pd.Timestamp(r["date"]) for r in views.community_alerts(ctx.f.region)})
# measured from the newest period each source has, whatever the filter: a view ending in 2020 is not "late"
newest = views.query("overdose_newest", Filters())
lag_from = overdose_periods.lag_start(part, newest, LAG_DAYS)

# a rolling window is drawn where it ends (the 12 months up to January sit at January, not a year earlier)
drawn = part.assign(period_start=part["period_end"]) if kind.startswith("rolling_") else part
fig = overdose_chart.overdoses(drawn, supply, alert_dates, lag_from, _, views.target_label(target, _, ctx.lang))
chart_name = _("{measure} by region").format(measure=MEASURES.get(measure, measure))
chart_frame.show(charts.in_language(fig, ctx.lang), chart_name, chart_summary.over_time(
    _, chart_name, drawn, ctx.date, lambda r: ctx.number(r["value"], 0 if unit == "count" else 1), "region",
    x="period_start", y="value"), key="od_chart")
st.caption(
    _("{measure} per period, one panel per region, and the share of checked samples with {what} (bottom "
      "panel). Triangles in the top lane and dotted lines are alert dates; shaded bands in a region's panel are "
      "suppressed counts (not zero); the lightly shaded last {lag} days may still be incomplete because reports "
      "arrive late.").format(measure=MEASURES.get(measure, measure),
                                              what=views.target_label(target, _, ctx.lang), lag=LAG_DAYS)
    + " " + _("Periods: {kind}.").format(kind=overdose_periods.kind_label(kind, _))
)


def value_text(value, suppressed: bool, label) -> str:
    if suppressed:
        return _("suppressed ({label})").format(label=label or "")
    if value is None or pd.isna(value):
        return _("not available ({label})").format(label=label or "")
    return ctx.number(value, 0 if unit == "count" else 1)


def each_distinct(column: pd.Series, fn) -> list:
    """fn over a column, called once per distinct value (thousands of rows share a few hundred dates)."""
    done = {v: fn(v) for v in column.unique()}
    return [done[v] for v in column]


with st.expander(_("Table")):
    table = part.assign(
        value_text=[value_text(*k) for k in zip(part["value"], part["suppressed"], part["value_label"])],
        start=each_distinct(part["period_start"], ctx.date),
        lag=[_("may be incomplete (reporting lag)") if late else ""
             for late in overdose_periods.may_be_incomplete(part, newest, LAG_DAYS)],
    )
    views.table(table, {"region": _("Region"), "period_label": _("Period"), "start": _("Start"),
                        "substance": _("Substance"), "value_text": _("Value"), "lag": _("Note"),
                        "source": _("Source")}, ctx)

if len(alerts):
    st.header(_("Alerts in this period"))
    for r in alerts.to_dict("records"):
        st.text(f"{ctx.date(r['issued_date'])} · {r['region'] or ''} · {r['title']}")
