"""Public page: get drug alerts by email (no account), confirm a subscription, or unsubscribe.

Links in mails land here: ``?confirm=TOKEN`` and ``?unsubscribe=TOKEN``. Each asks for one
click on a button rather than acting on the visit, because mail scanners open links.
"""

import streamlit as st

from supplywatch import i18n, views
from supplywatch.web import session
from supplywatch.alerts.board import region_options
from supplywatch.alerts.model import SEVERITIES
from supplywatch.delivery import keys, subscribers

lang = session.lang()
_ = i18n.translator(lang)
now = session.now()
SEVERITY = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}

st.title(_("Drug alerts by email"))
try:
    keys.check()
except keys.KeyMissing:
    st.info(_("Email alerts are not set up on this site yet. Follow the alerts on the public board or its feeds."))
    st.stop()

ACTIONS = {  # query parameter: (button, action, when done, when refused)
    "confirm": (_("Confirm my subscription"), subscribers.confirm,
                _("Subscription confirmed: you will get the alerts you chose."),
                _("This link is not valid or has expired; subscribe again below.")),
    "unsubscribe": (_("Unsubscribe"), subscribers.unsubscribe, _("You are unsubscribed and your address is deleted."),
                    _("This link is not valid, or the address was already removed.")),
}
link = next((name for name in ACTIONS if st.query_params.get(name)), None)
if link:
    label, action, done, refused = ACTIONS[link]
    if st.button(label, type="primary"):
        if action(st.query_params[link], now):
            st.success(done)
        else:
            st.error(refused)
else:
    st.caption(_("Get each new alert, update and retraction for your regions. No account needed. Your address is "
                 "used for these alerts only, stored encrypted, and deleted when you unsubscribe."))
    active, past = views.public_board(now)
    with st.form("subscribe"):
        address = st.text_input(_("Email address"))
        regions = st.multiselect(_("Regions (none: every region)"), region_options(active, past),
                                 placeholder=_("Choose options"))
        minimum = st.selectbox(_("Send alerts from this level up"), SEVERITIES, format_func=SEVERITY.get)
        language = st.selectbox(_("Language of the messages"), list(i18n.LANGUAGES),
                                index=list(i18n.LANGUAGES).index(lang), format_func=i18n.LANGUAGES.get)
        sent = st.form_submit_button(_("Subscribe"))
    if sent:
        try:
            subscribers.subscribe(address, regions, minimum, language, now)
        except subscribers.SubscriptionError as exc:
            st.error(exc.translated(_))
        else:
            st.success(_("Check your inbox: follow the link in the message we sent to confirm."))
