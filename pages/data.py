"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("data")
st.info("Coming soon.")
