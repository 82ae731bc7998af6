"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("emerging")
st.info("Coming soon.")
