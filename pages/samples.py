"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("samples")
st.info("Coming soon.")
