"""Overdoses: events over time by region and measure, against a supply signal, with alert dates and lags marked."""


import pandas as pd
import streamlit as st

from supplywatch import charts, metrics, views

LAG_DAYS = 28  # the most recent four weeks of any series are labelled as possibly incomplete

ctx = views.start_page("Overdoses")
_ = ctx._
events = views.query("overdose_series", ctx.f)
if events.empty:
    st.info(_("No overdose data under these filters."))
    st.stop()

MEASURES = {"ems": _("Paramedic (EMS) calls"), "ed_visits": _("Emergency department visits"),
            "hospitalizations": _("Hospitalizations"), "deaths": _("Deaths"), "non_fatal": _("Non-fatal overdoses"),
            "other": _("Other")}
c1, c2, c3 = st.columns(3)
present = set(events["measure"])
measure = c1.selectbox(_("Measure"), [m for m in MEASURES if m in present] + sorted(present - set(MEASURES)), format_func=lambda m: MEASURES.get(m, m),
                       key="od_measure")
part = events[events["measure"] == measure]
UNITS = {"count": _("Count"), "rate": _("Rate"), "percent": _("Percent")}
unit = c2.selectbox(_("Unit"), sorted(part["unit"].unique()), format_func=lambda u: UNITS.get(u, u), key="od_unit")
target = c3.selectbox(_("Supply signal"), metrics.HEADLINE_TARGETS, format_func=lambda t: views.target_label(t, _),
                      key="od_target")
part = part[part["unit"] == unit].copy()

# Counts from 1 to k-1 are suppressed for the public like any other small cell; the source's own
# suppression ('<5', 'Suppr.') is kept and shown as suppressed, never as zero.
if unit == "count" and not ctx.staff:
    small = part["value"].notna() & (part["value"] >= 1) & (part["value"] < ctx.k)
    part.loc[small, "value_label"] = f"<{ctx.k}"
    part.loc[small, "suppressed"] = True
    part.loc[small, "value"] = None
part["series"] = part["region"] + " · " + part["substance"]

supply, _total = views.positivity_for_reader(ctx, target, "week")
supply = supply[supply["share"].notna()]
alerts = views.query("external_alerts", ctx.f)
# external dates arrive as Timestamps, community ones as dates: one type, or sorting a mix raises TypeError
alert_dates = sorted({pd.Timestamp(d) for d in alerts["issued_date"]}
                     | {pd.Timestamp(r["date"]) for r in views.community_alerts(ctx.f.region)})
lag_from = pd.Timestamp(part["period_end"].max()) - pd.Timedelta(days=LAG_DAYS) if len(part) else None

fig = charts.overdoses(part, supply, alert_dates, lag_from, _, views.target_label(target, _))
st.plotly_chart(fig, width="stretch", key="od_chart")
st.caption(
    _("{measure} per period (top) and the share of checked samples with {what} (bottom). Dashed lines are alert "
      "dates; 'x' marks suppressed counts (not zero); the shaded last {lag} days may still be incomplete "
      "because reports arrive late.").format(measure=MEASURES.get(measure, measure),
                                              what=views.target_label(target, _), lag=LAG_DAYS)
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
        lag=each_distinct(part["period_end"], lambda e: _("may be incomplete (reporting lag)")
                          if lag_from is not None and pd.Timestamp(e) > lag_from else ""),
    )
    views.table(table, {"region": _("Region"), "period_label": _("Period"), "start": _("Start"),
                        "substance": _("Substance"), "value_text": _("Value"), "lag": _("Note"),
                        "source": _("Source")}, ctx)

if len(alerts):
    st.subheader(_("Alerts in this period"))
    for r in alerts.to_dict("records"):
        st.text(f"{ctx.date(r['issued_date'])} · {r['region'] or ''} · {r['title']}")
