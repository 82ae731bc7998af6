"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("trends")
st.info("Coming soon.")
