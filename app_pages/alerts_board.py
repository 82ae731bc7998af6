"""Public page: active drug alerts by region, most severe and newest first; history of expired and retracted ones."""

import streamlit as st

from supplywatch import db, i18n, local_time, public_feed_copy, views
from supplywatch.web import help_pages, session
from supplywatch.alerts import store
from supplywatch.alerts.board import own_path, public_files, region_options
from supplywatch.alerts.text import escape_markdown
from supplywatch.weblinks import public_link

lang = session.lang()
_ = i18n.translator(lang)
now = session.now()

SEVERITY = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}
# Severity is carried by the word and a distinct symbol, never by colour alone.
SYMBOL = {"information": "ℹ", "caution": "⚠", "warning": "⊘"}  # in DejaVu Sans, unlike ⛔ (a box in Debian chromium)
FILES = {"page": _("This alert on its own page (to share)"), "poster": _("Printable poster (PDF)"), "cap": _("CAP 1.2 XML"), "sms": _("SMS text"),
         "atom": _("Atom feed"), "json": _("JSON feed"), "board": _("Plain web page (no app needed)")}

st.title(_("Drug alerts"))
st.caption(_("Alerts from local drug checking and harm reduction staff. No sign-in needed."))

active, past = views.public_board(now)  # cached per change of the app file; records expiry when due
if views.alerts_stale():
    st.warning(_(views.ALERTS_STALE))
# A server started while the app database is down has read no alert: the shared public feed's, not an empty board.
copied = (public_feed_copy.active_alerts(db.public_dir(), lang, now)
          if views.alerts_stale() and not active and not past else [])
regions = region_options(active, past)
region = st.selectbox(_("Region"), [""] + regions, format_func=lambda r: r or _("All regions"),
                      key=f"alerts_region_{lang}")  # per language: a keyed widget keeps its first labels


def link_row(links: list[tuple[str, str]], key: str, own: bool = False) -> None:
    """(label, URL) pairs as link buttons in a row: an element that takes a URL, so no link text becomes markup
    (labels are markdown: pass alert text through escape_markdown).

    Every URL is parsed again here (supplywatch.weblinks); one that fails is not shown at all. ``own``: the links
    are our public files, which may also be paths on this origin (``/public/...``, see alerts.board.public_files).
    """
    with st.container(horizontal=True):
        for i, (label, url) in enumerate(links):
            good = public_link(url) or (own_path(url) if own else None)
            if good:
                st.link_button(label, good, type="tertiary", key=f"{key}-{i}")


def show(alert, retracted_or_expired: str | None = None, place: str = "list") -> None:
    """One alert card; every piece of alert text is escaped so it shows as text."""
    t = alert.text_for(lang)
    with st.container(border=True):
        head = f"{SYMBOL[alert.severity]} {SEVERITY[alert.severity].upper()}"
        if retracted_or_expired:
            head += f" · {retracted_or_expired.upper()}"
        elif alert.msg_type == "Update":
            head += " · " + _("Updated").upper()
        st.markdown(f"**{escape_markdown(head)}**")
        # h2 under the page's h1; h3 under the "Alert {id}" h2 of a linked alert (headings never skip a level)
        st.markdown(("### " if place == "deep" else "## ") + escape_markdown(t.headline))
        meta = _("{regions} · published {published} · until {expires}").format(
            regions=", ".join(alert.regions),
            published=local_time.format_local(alert.published_at, lang),
            expires=local_time.format_local(alert.expires_at, lang),
        )
        st.caption(escape_markdown(meta))
        if alert.is_retracted and alert.status_reason:
            st.markdown(escape_markdown(_("Retracted: {reason}").format(reason=alert.status_reason)))
        if t.what_to_do:
            st.markdown("**" + _("What to do") + "**")
            # Our own list markup around escaped lines: the advice reads as a list, its text stays text.
            advice = [line.strip().removeprefix("- ").strip() for line in t.what_to_do.splitlines() if line.strip()]
            st.markdown("\n".join("- " + escape_markdown(line) for line in advice))
        if not retracted_or_expired:
            help_pages.for_alert(alert, lang, f"help-{place}-{alert.alert_id}-{alert.version}")
        with st.expander(_("Details")):
            st.markdown(escape_markdown(t.details))
            if alert.substances:
                st.caption(escape_markdown(_("Substances: {names}").format(names=", ".join(alert.substances))))
            key = f"links-{place}-{alert.alert_id}-{alert.version}"
            link_row([(escape_markdown(link), link) for link in alert.links], key)
            link_row([(FILES[kind], url) for kind, url in public_files(alert, lang)], key + "-files", own=True)


def show_copy(item: public_feed_copy.FeedAlert) -> None:
    """One alert as the public feed last wrote it; all of it escaped, so it shows as text."""
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(SYMBOL[item.severity] + ' ' + SEVERITY[item.severity].upper())}**")
        st.markdown("### " + escape_markdown(item.headline))
        st.markdown(escape_markdown(item.text))


wanted = st.query_params.get("alert")
if wanted:
    chosen = [a for a in [*active, *past] if a.alert_id == wanted]
    if chosen:
        st.header(_("Alert {id}").format(id=wanted))
        a = chosen[0]
        show(a, None if a.is_active(now) else (_("Retracted") if a.is_retracted else _("Expired")), place="deep")

tab_active, tab_history = st.tabs([_("Active alerts"), _("History")])
with tab_active:
    shown = [a for a in active if not region or region in a.regions]
    if not shown and not copied:
        st.info(_("No active alerts for this area right now."))
    for alert in shown:
        show(alert, place="active")
    if copied:
        st.caption(_("Copied from the public alert feed as last published, while the alerts cannot be read."))
    for item in copied:
        show_copy(item)
with tab_history:
    shown = [a for a in past if not region or region in a.regions]
    if not shown:
        st.info(_("No expired or retracted alerts."))
    for alert in shown:
        show(alert, _("Retracted") if alert.is_retracted else _("Expired"), place="history")

feeds = public_files(None, lang, region or None)
if feeds:
    st.markdown(_("Follow these alerts:"))
    link_row([(FILES[kind], url) for kind, url in feeds], "feeds", own=True)
st.download_button(
    _("Download alerts (CSV)"), store.alerts_csv([*active, *past], lang), file_name="supplywatch-alerts.csv",
    mime="text/csv", key="alerts_csv",
)
