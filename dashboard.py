"""Supply Watch entry point: navigation and the shared sidebar, nothing else."""

import streamlit as st

st.set_page_config(page_title="Supply Watch", layout="wide")

pages = {
    "Supply": [
        st.Page("pages/overview.py", title="This week", url_path="overview", default=True),
        st.Page("pages/trends.py", title="Trends", url_path="trends"),
        st.Page("pages/concentration.py", title="Concentration", url_path="concentration"),
        st.Page("pages/expected_found.py", title="Expected vs found", url_path="expected"),
        st.Page("pages/emerging.py", title="Emerging", url_path="emerging"),
        st.Page("pages/samples.py", title="Samples", url_path="samples"),
    ],
    "Overdoses": [
        st.Page("pages/overdoses.py", title="Overdoses", url_path="overdoses"),
    ],
    "Alerts": [
        st.Page("pages/alerts_board.py", title="Drug alerts", url_path="alerts"),
        st.Page("pages/staff_alerts.py", title="Draft and review", url_path="staff-alerts"),
        st.Page("pages/signals.py", title="Signals", url_path="signals"),
        st.Page("pages/admin_users.py", title="Staff accounts", url_path="admin"),
        st.Page("pages/sign_in.py", title="Staff sign-in", url_path="sign-in"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Data", url_path="data"),
    ],
}

st.navigation(pages).run()
