"""Placeholder page: filled in by its issue."""

import streamlit as st

st.title("admin_users")
st.info("Coming soon.")
