"""Admin page: staff accounts (add, change role, disable, reset password) and the account audit."""

import pandas as pd
import streamlit as st

from supplywatch import auth, i18n, local_time
from supplywatch.web import session
from supplywatch.formula_guard import guard_frame

lang = session.lang()
_ = i18n.translator(lang)
admin = session.require_role(*session.ADMIN_ROLES, page="admin_users")
ROLE = {"poster": _("Poster"), "reviewer": _("Reviewer"), "admin": _("Admin")}


def act(step, success: str) -> None:
    """Run one account change as this admin (role re-checked first); one-line errors."""
    if session.current(*session.ADMIN_ROLES) is None:
        st.error(_("Your account does not have access to this page."))
        return
    try:
        step()
    except auth.AuthError as exc:
        st.error(exc.translated(_))
        return
    st.session_state["admin_flash"] = success
    st.rerun()


st.title(_("Staff accounts"))
if flash := st.session_state.pop("admin_flash", None):
    st.success(flash)
st.caption(_("Posters draft alerts, reviewers approve and retract them, admins also manage accounts."))

users = auth.list_users()
st.dataframe(
    guard_frame(pd.DataFrame(
        [{_("Username"): u.username, _("Role"): ROLE[u.role],
          _("Status"): _("Disabled") if u.disabled else _("Active")} for u in users]
    )),
    hide_index=True,
)

with st.form("add_user", clear_on_submit=True):
    st.header(_("Add an account"))
    name = st.text_input(_("Username"), key="add_name")
    role = st.selectbox(_("Role"), auth.ROLES, format_func=ROLE.get, key="add_role")
    password = st.text_input(_("Password (at least 10 characters)"), type="password", key="add_password")
    if st.form_submit_button(_("Add account")):
        act(lambda: auth.add_user(name, role, password, admin["username"], session.now()), _("Account added."))

names = [u.username for u in users]
if names:
    st.header(_("Change an account"))
    who = st.selectbox(_("Account"), names, key="change_who")
    col1, col2 = st.columns(2)
    with col1:
        new_role = st.selectbox(_("New role"), auth.ROLES, format_func=ROLE.get, key="change_role")
        if st.button(_("Change role"), key="do_role"):
            act(lambda: auth.set_role(who, new_role, admin["username"], session.now()), _("Role changed."))
        if st.button(_("Disable"), key="do_disable", disabled=(who == admin["username"])):
            act(lambda: auth.set_disabled(who, True, admin["username"], session.now()), _("Account disabled."))
        if st.button(_("Enable"), key="do_enable"):
            act(lambda: auth.set_disabled(who, False, admin["username"], session.now()), _("Account enabled."))
    with col2:
        new_password = st.text_input(_("New password"), type="password", key="reset_password")
        if st.button(_("Reset password"), key="do_reset"):
            act(lambda: auth.reset_password(who, new_password, admin["username"], session.now()),
                _("Password reset; any lockout cleared."))

with st.expander(_("Account audit (newest first)")):
    audit = pd.DataFrame(auth.account_audit(limit=500), columns=["at", "actor", "action", "username", "detail"])
    audit["at"] = local_time.format_column(audit["at"], lang)  # the deployment's zone
    st.dataframe(guard_frame(audit.rename(columns={"at": _("When"), "actor": _("By"), "action": _("Action"),
                                                   "username": _("Account"), "detail": _("Detail")})),
                 hide_index=True)
