"""Supply Watch entry point: navigation and the shared sidebar, nothing else.

The pages live in app_pages/, not pages/: a pages/ folder beside this file switches on Streamlit's older
folder-based navigation until the first st.navigation run in the process, so the first reader after every
server start who followed a link such as /alerts got a "Page not found" box over the alert board.
"""

import streamlit as st

from supplywatch import i18n, run_snapshot, session, views

run_snapshot.begin()  # every query of this run reads one data version (supplywatch/run_snapshot.py)

st.set_page_config(page_title="Supply Watch", layout="wide")

_ = i18n.translator(views.current_lang())

pages = {
    _("Supply"): [
        # Streamlit serves the default page at / only and answers its url_path with "Page not found", so the
        # home page is a hidden default at / and "This week" also has its own typed, shared and reloaded /overview.
        st.Page("app_pages/overview.py", title=_("This week"), url_path="home", default=True, visibility="hidden"),
        st.Page("app_pages/overview.py", title=_("This week"), url_path="overview"),
        st.Page("app_pages/trends.py", title=_("Trends"), url_path="trends"),
        st.Page("app_pages/concentration.py", title=_("Concentration"), url_path="concentration"),
        st.Page("app_pages/expected_found.py", title=_("Expected vs found"), url_path="expected"),
        st.Page("app_pages/emerging.py", title=_("Emerging"), url_path="emerging"),
        st.Page("app_pages/samples.py", title=_("Samples"), url_path="samples"),
    ],
    _("Overdoses"): [
        st.Page("app_pages/overdoses.py", title=_("Overdoses"), url_path="overdoses"),
    ],
    # Alerts block (owned by the alerts area): staff pages are listed only for signed-in users with the role.
    _("Alerts"): session.alert_pages(_),
    _("Data"): [
        st.Page("app_pages/data.py", title=_("Data"), url_path="data"),
    ],
}

# expanded: every page link shown; collapsed, Streamlit hides all but the first ten behind "View more", which put
# the staff pages out of sight once the subscribe page was added
page = st.navigation(pages, expanded=True)
# Each page its own browser title in the reader's language ("Tendances · Supply Watch"): tabs, history and screen
# readers tell pages apart by it (WCAG 2.4.2).
st.set_page_config(page_title=f"{page.title} · Supply Watch")
# The language switch is drawn on every page (between navigation and run, where shared elements go),
# so st.session_state["lang"] is always there for every page, the alerts pages included.
views.language_picker()
page.run()
