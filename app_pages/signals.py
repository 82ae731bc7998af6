"""Staff page: signals suggested from the data, each accepted into a draft alert or dismissed with a reason."""

import datetime as dt

import streamlit as st

from supplywatch import i18n, local_time, signals
from supplywatch.web import session
from supplywatch.alerts.store import AlertError
from supplywatch.web.session import require_role

lang = session.lang()
_ = i18n.translator(lang)
username = require_role(*signals.DECIDERS, page="signals")["username"]

RULE_LABELS = {
    "first_detection": _("First detection"),
    "positivity_rise": _("Positivity rise"),
    "concentration_spike": _("Fentanyl concentration spike"),
    "overdose_spike": _("Overdose spike (EARS)"),
}
SEVERITY_LABELS = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}
STATUS_LABELS = {"new": _("New"), "accepted": _("Accepted"), "dismissed": _("Dismissed")}


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


st.title(_("Signals"))
st.caption(
    _("Signals never publish anything. Accept one to start a draft alert that still goes through review, "
      "or dismiss it with a reason.")
)

flash = st.session_state.pop("signal_flash", None)
if flash:
    st.success(flash)

if st.button(_("Check the data now")):
    try:
        checked_at, new = signals.run_as_of(now())
        st.success(_("{n} new suggestions").format(n=len(new)) + ". " + signals.as_of_note(checked_at, now(), lang))
    except Exception as exc:  # the warehouse may be mid-load or empty; say so in one line
        st.error(_("The signals could not run: {error}").format(error=str(exc).splitlines()[0]))
else:
    try:  # which day the next check looks back from, said before anyone clicks
        st.caption(signals.as_of_note(signals.default_as_of(now()), now(), lang))
    except Exception:  # no warehouse yet: the button says why when pressed
        pass

status = st.radio(
    _("Show"), list(STATUS_LABELS), format_func=STATUS_LABELS.get, horizontal=True, key="signal_status"
)
items = signals.stored_suggestions(status)
if not items:
    st.info(_("No suggestions here."))

for item in items:
    s = item.suggestion
    text = s.text.get(lang) or s.text["en"]
    with st.container(border=True):
        # Text from the data is shown as text (never markdown or HTML).
        st.text(f"{SEVERITY_LABELS.get(s.severity, s.severity).upper()} · {RULE_LABELS.get(s.rule, s.rule)}")
        st.text(text.headline)
        st.caption(_("Evidence"))
        st.text("\n".join(s.evidence))
        with st.expander(_("Suggested alert text")):
            st.text(text.details)
            st.text(text.what_to_do)
        if item.status != "new":
            decided = _("{status} by {who} at {when}").format(
                status=STATUS_LABELS[item.status], who=item.decided_by,
                when=local_time.format_local(item.decided_at, lang),
            )
            st.text(decided + (f" · {item.reason}" if item.reason else "") +
                    (f" · {item.alert_id}" if item.alert_id else ""))
            continue
        accept_col, dismiss_col = st.columns(2)
        with accept_col.form(f"accept-form-{s.key}"):
            regions = st.text_input(_("Regions (comma-separated)"), value=", ".join(s.regions), key=f"regions-{s.key}")
            if st.form_submit_button(_("Accept: create a draft"), key=f"accept-{s.key}"):
                chosen = tuple(r.strip() for r in regions.split(",") if r.strip())
                try:
                    alert = signals.accept(s.key, username, now(), regions=chosen or None)
                    st.session_state["signal_flash"] = _(
                        "Draft {alert_id} created. Open 'Draft and review' to edit and submit it."
                    ).format(alert_id=alert.alert_id)
                    st.rerun()
                except (signals.DecisionError, AlertError) as exc:
                    st.error(str(exc))
        with dismiss_col.form(f"dismiss-form-{s.key}"):
            reason = st.text_input(_("Reason for dismissing"), key=f"reason-{s.key}")
            if st.form_submit_button(_("Dismiss"), key=f"dismiss-{s.key}"):
                try:
                    signals.decide_dismiss(s.key, username, reason, now())
                    st.session_state["signal_flash"] = _("Dismissed.")
                    st.rerun()
                except signals.DecisionError as exc:
                    st.error(_("A reason is needed to dismiss a suggestion.") if not reason.strip() else str(exc))
