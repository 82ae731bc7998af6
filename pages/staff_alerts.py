"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("staff_alerts")
st.info("Coming soon.")
