"""Overview: loaded counts (placeholder until the dashboard issue lands)."""

import streamlit as st

from supplywatch import db

cur = db.Warehouse().cursor()
st.title("Supply Watch")
for table in ("samples", "detections", "overdose_events", "alerts"):
    n = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    st.metric(table, f"{n:,}")
