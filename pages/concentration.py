"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("concentration")
st.info("Coming soon.")
