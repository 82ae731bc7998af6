"""The reader bench's second baseline: a title and one small plotly line chart (100 points), nothing else.

Its settled time minus the empty page's is what drawing any plotly chart costs in a new tab: Streamlit loads and
starts its plotly code (about 4.7 MB) first. The floor under every chart page (Trends, Concentration, ...).
"""

import plotly.graph_objects as go
import streamlit as st

st.title("One chart")
st.plotly_chart(go.Figure(go.Scatter(x=list(range(100)), y=[(i * 37 % 100) / 100 for i in range(100)])))
