"""Supply Watch entry point: the navigation by role (supplywatch/web/navigation.py) and the language switch.

The pages live in app_pages/, not pages/: a pages/ folder beside this file switches on Streamlit's older
folder-based navigation until the first st.navigation run in the process, so the first reader after every
server start who followed a link such as /alerts got a "Page not found" box over the alert board.
"""

import streamlit as st

from supplywatch import run_snapshot
from supplywatch.web import session
from supplywatch.web import language, navigation

run_snapshot.begin()  # every query of this run reads one data version (supplywatch/run_snapshot.py)

st.set_page_config(page_title="Supply Watch", layout="wide")

_ = language.translator()

# Every page, and which ones this reader's role lists, is in one table: supplywatch/web/navigation.py.
pages = navigation.build(session.navigation_role(), _, session.stand_in)

# expanded: every page link shown; collapsed, Streamlit hides all but the first ten behind "View more", which put
# the staff pages out of sight once the subscribe page was added
page = st.navigation(pages, expanded=True)
# Each page its own browser title in the reader's language ("Tendances · Supply Watch"): tabs, history and screen
# readers tell pages apart by it (WCAG 2.4.2).
st.set_page_config(page_title=f"{page.title} · Supply Watch")
# The language switch is drawn on every page (between navigation and run, where shared elements go),
# so st.session_state["lang"] is always there for every page, the alerts pages included.
language.switch()
page.run()
