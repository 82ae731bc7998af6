"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("signals")
st.info("Coming soon.")
