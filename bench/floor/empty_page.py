"""The reader bench's first baseline: a Streamlit page with a title and one line, nothing of Supply Watch.

Its settled time is what any Streamlit page costs a reader on this machine (the JavaScript bundle, a new
session's websocket, one script run), the floor under the dashboard's home and board.
"""

import streamlit as st

st.title("Empty page")
st.write("One line of text.")
