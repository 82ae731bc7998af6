"""Staff page (reviewers and admins): who the alerts reach and what did not arrive.

Confirmed subscribers per region and language (never an address), the queue by state, dead
letters and retries with their reason, organisations' webhooks (add, remove), and removing an
address on the person's request: typed here, matched by its keyed hash, audited without it.
The same functions back ``python -m supplywatch subscribers | webhooks`` (docs/subscriptions.md).
"""

import pandas as pd
import streamlit as st

from supplywatch import i18n
from supplywatch.web import session
from supplywatch.alerts.model import SEVERITIES
from supplywatch.alerts.text import escape_markdown
from supplywatch.delivery import keys, queue, subscribers, webhooks
from supplywatch.formula_guard import guard_frame

ROLES = ("reviewer", "admin")
lang = session.lang()
_ = i18n.translator(lang)
user = session.require_role(*ROLES, page="staff_delivery")
SEVERITY = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}
STATUS = {"queued": _("Waiting to be sent"), "sending": _("Being sent"), "sent": _("Sent"), "dead": _("Not delivered")}


def allowed() -> bool:
    """The role checked again at the moment of a change (it may have been taken away since the page loaded)."""
    if session.current(*ROLES) is None:
        st.error(_("Your account does not have access to this page."))
        return False
    return True


st.title(_("Alert delivery"))
if flash := st.session_state.pop("delivery_flash", None):
    st.success(flash)
try:
    keys.check()
except keys.KeyMissing:
    st.info(_("Email alerts and webhooks are not set up: set SUPPLYWATCH_SUBSCRIBER_KEY (docs/subscriptions.md)."))
    st.stop()

st.header(_("Subscribers"))
counts = subscribers.counts()
if counts:
    st.dataframe(guard_frame(pd.DataFrame(
        [{_("Region"): _("Every region") if r["region"] == "*" else r["region"],
          _("Language"): i18n.LANGUAGES.get(r["lang"], r["lang"]), _("Confirmed subscribers"): r["subscribers"]}
         for r in counts])), hide_index=True)
else:
    st.caption(_("No confirmed subscribers yet."))

st.header(_("Queue"))
summary = queue.summary()
st.markdown(" · ".join(f"{STATUS.get(k, k)}: {v}" for k, v in sorted(summary.items())) or _("Nothing queued."))
problems = queue.problems()
if problems:
    st.markdown("**" + _("Not delivered, or waiting for a retry") + "**")
    st.dataframe(guard_frame(pd.DataFrame(
        [{_("What"): _("Confirmation request") if p["kind"] == "confirm" else f"{p['alert_id']} v{p['version']}",
          _("To"): _("Webhook") if p["kind"] == "webhook" else _("Email"), _("State"): STATUS.get(p["status"]),
          _("Attempts"): p["attempts"], _("Reason"): p["reason"]} for p in problems])), hide_index=True)
else:
    st.caption(_("No failed deliveries."))

st.header(_("Remove an address on request"))
with st.form("remove_address", clear_on_submit=True):
    address = st.text_input(_("Email address to remove"), key="remove_address_input")
    if st.form_submit_button(_("Remove this address")) and allowed():
        try:
            removed = subscribers.remove(address, user["username"], session.now())
        except subscribers.SubscriptionError as exc:
            st.error(exc.translated(_))
        else:
            st.session_state["delivery_flash"] = (
                _("Removed: the address and its queued messages are deleted.") if removed
                else _("That address is not subscribed."))
            st.rerun()

st.header(_("Webhooks"))
hooks = webhooks.listing()
for hook in hooks:
    with st.container(border=True, horizontal=True):
        where = ", ".join(hook["regions"]) or _("Every region")
        state = f" · {_('Disabled')}" if hook["disabled"] else ""
        st.markdown(f"**{escape_markdown(hook['name'])}** · " + escape_markdown(
            f"{hook['host']} · {where} · {SEVERITY[hook['min_severity']]} · "
            f"{i18n.LANGUAGES.get(hook['lang'], hook['lang'])}{state}"))
        toggle = _("Enable") if hook["disabled"] else _("Disable")
        if st.button(toggle, key=f"toggle-{hook['webhook_id']}") and allowed():
            webhooks.set_disabled(hook["webhook_id"], not hook["disabled"], user["username"], session.now())
            st.session_state["delivery_flash"] = _("Webhook enabled.") if hook["disabled"] else _("Webhook disabled.")
            st.rerun()
        if st.button(_("Remove"), key=f"remove-{hook['webhook_id']}") and allowed():
            webhooks.remove(hook["webhook_id"], user["username"], session.now())
            st.session_state["delivery_flash"] = _("Webhook removed.")
            st.rerun()
if not hooks:
    st.caption(_("No webhooks."))
with st.form("add_webhook", clear_on_submit=True):
    st.markdown("**" + _("Register an organisation's webhook") + "**")
    name = st.text_input(_("Organisation"), key="hook_name")
    url = st.text_input(_("Address that receives the alerts (https://)"), key="hook_url")
    regions = st.text_input(_("Regions, separated by commas (empty: every region)"), key="hook_regions")
    minimum = st.selectbox(_("Send alerts from this level up"), SEVERITIES, format_func=SEVERITY.get, key="hook_min")
    language = st.selectbox(_("Language of the messages"), list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                            key="hook_lang")
    if st.form_submit_button(_("Register webhook")) and allowed():
        try:
            hook_id, secret = webhooks.register(name, url, [r for r in regions.split(",") if r.strip()], minimum,
                                                language, user["username"], session.now())
        except subscribers.SubscriptionError as exc:
            st.error(exc.translated(_))
        else:
            st.success(_("Webhook {id} registered. Its signing secret is shown once: pass it on safely.").format(
                id=hook_id))
            st.code(secret, language=None)
