"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("expected_found")
st.info("Coming soon.")
