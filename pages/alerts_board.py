"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("alerts_board")
st.info("Coming soon.")
