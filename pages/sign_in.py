"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("sign_in")
st.info("Coming soon.")
