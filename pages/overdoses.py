"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("overdoses")
st.info("Coming soon.")
