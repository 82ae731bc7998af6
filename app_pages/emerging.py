"""Emerging: first detections and last-seen dates by region, and names the dictionary does not know yet."""

import streamlit as st

from supplywatch import dictionary, views

ctx = views.start_page("Emerging substances")
_ = ctx._

lookback = st.select_slider(_("Look back (days)"), options=[30, 60, 90, 180, 365], value=180, key="em_lookback")
first = views.query("first_detections", ctx.f, lookback_days=lookback)
if first.empty:
    st.info(_("No detections under these filters."))
    st.stop()

first = first.assign(
    label=[views.target_label(s, _, ctx.lang) if s in ("xylazine", "medetomidine", "carfentanil") else
           dictionary.substance_label(s, ctx.lang) for s in first["substance"]],
    klass=[views.target_label(c, _, ctx.lang) for c in first["class"]],
    first_text=[ctx.date(d) for d in first["first_seen"]],
    last_text=[ctx.date(d) for d in first["last_seen"]],
    # For the public a bound, not a count: "is it here, since when" is what the page is for, and exact counts
    # per region and substance could be subtracted from Trends' or another filter's (docs/methods.md).
    n_text=[views.bound_text(int(v), ctx) for v in first["n"]],
    risk=[_("high risk") if v else "" for v in first["high_risk"]],
)
new = first[first["is_new"]]
if not ctx.staff:
    st.caption(_("Samples are shown as fewer than {k} or {k} or more, not counted exactly, so that no small count "
                 "can be worked out by comparing pages or filters.").format(k=ctx.number(ctx.k)))
st.header(_("First seen in the last {days} days").format(days=lookback))
st.caption(_("A substance counts as new in a region when its first detection there, over all loaded data, falls "
             "within the look-back window ending at the newest sample."))
if new.empty:
    st.caption(_("Nothing new in this window."))
else:
    views.table(new, {"region": _("Region"), "label": _("Substance"), "klass": _("Class"), "first_text": _("First seen"),
                      "last_text": _("Last seen"), "n_text": _("Samples"), "risk": _("Note")}, ctx)

st.header(_("Everything seen, by region"))
views.table(first, {"region": _("Region"), "label": _("Substance"), "klass": _("Class"), "first_text": _("First seen"),
                    "last_text": _("Last seen"), "n_text": _("Samples"), "risk": _("Note")}, ctx)

st.header(_("Names not in the dictionary yet"))
unknown = views.query("unknown_substances", ctx.f)
if unknown.empty:
    st.caption(_("Every name found is in the substance dictionary."))
else:
    views.table(unknown.assign(n_text=[views.bound_text(int(v), ctx) for v in unknown["n"]],
                               first_text=[ctx.date(d) for d in unknown["first_seen"]],
                               last_text=[ctx.date(d) for d in unknown["last_seen"]]),
                {"name": _("Name as written"), "n_text": _("Samples"), "first_text": _("First seen"),
                 "last_text": _("Last seen")}, ctx)
