"""Staff sign-in and sign-out. Public pages never need this; staff pages and actions do."""

import logging

import streamlit as st

from supplywatch import auth, db, i18n
from supplywatch.web import session

LANG = session.lang()
_ = i18n.translator(LANG)

st.title(_("Staff sign-in"))

try:
    no_accounts = auth.count_users() == 0
except db.AppStoreUnavailable as exc:  # PostgreSQL down or restarting: one plain line, the detail in the server log
    logging.getLogger(__name__).warning("%s", exc)
    st.error(_(session.STORE_DOWN))
    st.stop()
except Exception:  # the app file held by another process for too long: one line, never a traceback
    st.error(_(auth.BUSY))
    st.stop()

if no_accounts:
    name, password = session.admin_from_secrets()
    try:
        if auth.bootstrap_admin(name, password, session.now()):
            st.info(_("The first admin account was created from the deployment secrets."))
    except auth.AuthError as exc:
        refused = _("The admin account in the deployment secrets was refused: {error}")
        st.error(refused.format(error=exc.translated(_, LANG)))
    if auth.count_users() == 0:
        st.info(
            _("No staff accounts yet. Whoever runs this server creates the first one with: "
              "python -m supplywatch users add NAME --role admin")
        )

user = session.current()
if user:
    st.success(_("Signed in as {name} ({role}).").format(name=user["username"],
                                                             role=session.role_label(user["role"], _)))
    go = st.session_state.pop(session.GO, None)
    if go:  # once, right after sign-in: the browser fetches its session cookie and comes back (docs/operating.md)
        st.html(session.redirect_html(go), unsafe_allow_javascript=True)
        st.link_button(_("Stay signed in in new tabs: continue"), go)
    if st.button(_("Sign out"), key="sign_out"):
        session.sign_out()
        st.rerun()
else:
    with st.form("sign_in"):
        username = st.text_input(_("Username"), key="sign_in_username", autocomplete="username")
        password = st.text_input(_("Password"), type="password", key="sign_in_password", autocomplete="current-password")
        submitted = st.form_submit_button(_("Sign in"))
    if submitted:
        try:
            session.sign_in(username, password)
        except auth.AuthError as exc:
            st.error(exc.translated(_, LANG))
        except db.AppStoreUnavailable:
            st.error(_(session.STORE_DOWN))
        except Exception:  # nothing a reader can act on beyond trying again; the server log keeps the detail
            logging.getLogger(__name__).exception("sign-in failed")
            st.error(_(auth.BUSY))
        else:
            st.rerun()
    st.caption(_("Staff accounts only. Drug alerts are public and need no sign-in."))
