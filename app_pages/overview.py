"""This week in the supply: active alerts for the reader's region first, then headline numbers against the previous
week and the newest first detections."""

import pandas as pd
import streamlit as st

from supplywatch import metrics, public_week, suppression, views

ctx = views.start_page("This week in the supply")
_ = ctx._
# Alerts for the reader's region come first, on a phone too (where the numbers below fill two screens).
st.header(_("Alerts"))
views.alert_list(ctx)

if ctx.staff:
    h = views.query("headline", ctx.f)
else:
    # One "this week" for every filter, and counts whose suppression holds across filters (all regions minus one
    # region must not give another region's small count).
    public_end, checked = views.checked_for_public(ctx)
    h = views.query("headline", ctx.f, end=public_end) if public_end else {"end": None}

if h["end"] is None:
    st.info(_("No samples match these filters."))
    st.stop()

cur, prev = h["current"], h["previous"]
if ctx.staff:
    st.caption(
        _("{start} to {end}, compared with the 7 days before. Positivity is among samples sold as an opioid.").format(
            start=ctx.date(h["start"]), end=ctx.date(h["end"])
        )
    )
else:  # a Trends week, whole, so its counts are the same cells as on Trends (supplywatch.public_week)
    st.caption(
        _("The week of Monday {start} to Sunday {end}, compared with the week before (counts cover whole weeks, as "
          "on Trends). Positivity is among samples sold as an opioid.").format(
            start=ctx.date(h["start"]), end=ctx.date(h["end"])
        )
    )


def rate_rows(rows: list[dict]) -> list[dict]:
    """Each rate as this reader may see it, suppressed for the public: one pass over all of them (each row its own
    group, so the same as one pass per rate; a pandas pass costs about 35 ms whatever its size)."""
    frame = pd.DataFrame(rows).assign(_row=range(len(rows)))
    return views.counts_for_reader(frame, ctx, group_by=("_row",)).to_dict("records")


def points(now: dict, before: dict) -> str | None:
    """Change in percentage points, only when both weeks' rates may be shown."""
    if now.get("share") is None or before.get("share") is None or pd.isna(now["share"]) or pd.isna(before["share"]):
        return None
    return _("{pts} pts").format(pts=ctx.number(round((now["share"] - before["share"]) * 100), 0))


rows = []  # the table alternative
# Metrics go two per row, row by row, so that on a phone (where columns stack) they keep their order.
cells = [c for _pair in range(5) for c in st.columns(2)]
checked_now, checked_before = cur["checked"], prev["checked"]
if ctx.staff:
    shown_both, now_text, before_text = True, views.count_text(checked_now, ctx), views.count_text(checked_before, ctx)
else:
    shown_both = checked.now_status == checked.before_status == suppression.SHOWN
    now_text, before_text = (suppression.label(v, s, ctx.k, _("suppressed"), ctx.number) for v, s in (
        (checked.now, checked.now_status), (checked.before, checked.before_status)))
cells[0].metric(
    _("Samples checked"),
    now_text,
    delta=ctx.number(checked_now - checked_before) if shown_both else None,
    delta_color="off",
    help=_("Previous 7 days: {n}").format(n=before_text),
)
rows.append({"measure": _("Samples checked"), "now": now_text, "before": before_text})

match_n = cur["match_n"]
match = {"k": cur["matched"], "n": match_n,
         **dict(zip(("share", "lo", "hi"), (cur["matched"] / match_n if match_n else None,
                                            *metrics.wilson(cur["matched"], match_n))))}
if ctx.staff:
    *rates, match = rate_rows([*(w["positivity"][t] for w in (cur, prev) for t in metrics.HEADLINE_TARGETS), match])
else:  # the same cells as Trends' weekly view of samples sold as an opioid under these filters
    public = views.week_rates_for_public(ctx, h["end"])
    rates = [public[w][t] for w in public_week.WEEKS for t in metrics.HEADLINE_TARGETS]
for i, target in enumerate(metrics.HEADLINE_TARGETS, start=1):
    now, before = rates[i - 1], rates[i - 1 + len(metrics.HEADLINE_TARGETS)]
    label = _("Opioid samples with {what}").format(what=views.target_label(target, _, ctx.lang))
    value = ctx.percent(now["share"]) if now.get("share") is not None and not pd.isna(now["share"]) else "—"
    # No sample tested by a sensitive method: no rate; finds by a less sensitive one (FTIR) only as a count.
    said = views.rate_text(now, ctx) if now["n"] else _("No sample tested by a method sensitive enough.")
    outside = views.outside_text(int(now.get("outside") or 0), target, ctx, shown=now.get("outside_text"))
    said = " ".join(t for t in (said, outside) if t)
    cells[i].metric(label, value, delta=points(now, before), delta_color="off", help=said)
    cells[i].caption(said)
    rows.append({"measure": label, "now": said, "before": views.rate_text(before, ctx)})

# The public gets the median and the matched share without their exact counts (n as a bound: docs/methods.md).
median_ok = ctx.staff or cur["n_pct"] >= ctx.k
median = ctx.percent(cur["median_pct"] / 100, 1) if cur["median_pct"] is not None and median_ok else "—"
idx = len(metrics.HEADLINE_TARGETS) + 1
cells[idx].metric(
    _("Median fentanyl %"),
    median,
    help=_("Median of {n} quantified samples.").format(n=views.bound_text(cur["n_pct"], ctx)),
)
rows.append({"measure": _("Median fentanyl %"), "now": median, "before": ""})

if ctx.staff:
    shown = match.get("share") is not None and not pd.isna(match["share"])
    matched_value, matched_said = ctx.percent(match["share"]) if shown else "—", views.rate_text(match, ctx)
else:
    share = public_week.rounded_share(cur["matched"], match_n, 4 * ctx.k)
    matched_value = ctx.percent(share) if share is not None else "—"
    matched_said = _("About {share} of {n} samples (to the nearest 10 points; counts are not shown).").format(
        share=matched_value, n=views.bound_text(match_n, ctx)) if share is not None else _(
        "Fewer than {least} samples: not shown.").format(least=ctx.number(4 * ctx.k))
cells[idx + 1].metric(_("Matched what people expected"), matched_value, help=matched_said)
cells[idx + 1].caption(matched_said)
rows.append({"measure": _("Matched what people expected"), "now": matched_said, "before": ""})

with st.expander(_("Table of these numbers")):  # ten rows of text: a plain table, no data grid to load
    views.text_table(rows, {"measure": _("Measure"), "now": _("This week"), "before": _("Previous week")})

st.header(_("Newest first detections"))
new = views.query("first_detections", ctx.f, lookback_days=180, new_only=True).head(8)
if new.empty:
    st.caption(_("No substance was seen for the first time in the last 180 days."))
else:
    for r in new.to_dict("records"):
        st.text(
            _("{substance} first seen in {region} on {date}").format(
                substance=r["substance"], region=r["region"], date=ctx.date(r["first_seen"])
            )
            + (" · " + _("high risk") if r["high_risk"] else "")
        )
