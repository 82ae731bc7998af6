"""Supply Watch entry point: navigation and the shared sidebar, nothing else."""

import streamlit as st

from supplywatch import i18n, session, views

st.set_page_config(page_title="Supply Watch", layout="wide")

_ = i18n.translator(views.current_lang())

pages = {
    _("Supply"): [
        st.Page("pages/overview.py", title=_("This week"), url_path="overview", default=True),
        st.Page("pages/trends.py", title=_("Trends"), url_path="trends"),
        st.Page("pages/concentration.py", title=_("Concentration"), url_path="concentration"),
        st.Page("pages/expected_found.py", title=_("Expected vs found"), url_path="expected"),
        st.Page("pages/emerging.py", title=_("Emerging"), url_path="emerging"),
        st.Page("pages/samples.py", title=_("Samples"), url_path="samples"),
    ],
    _("Overdoses"): [
        st.Page("pages/overdoses.py", title=_("Overdoses"), url_path="overdoses"),
    ],
    # Alerts block (owned by the alerts area): staff pages are listed only for signed-in users with the role.
    _("Alerts"): session.alert_pages(_),
    _("Data"): [
        st.Page("pages/data.py", title=_("Data"), url_path="data"),
    ],
}

page = st.navigation(pages)
# The language switch is drawn on every page (between navigation and run, where shared elements go),
# so st.session_state["lang"] is always there for every page, the alerts pages included.
views.language_picker()
page.run()
