"""What `make run` serves: the dashboard (dashboard.py) and, on the same origin, the public files at /public/.

Streamlit answers any other path with its own page shell, so without this route the poster, CAP, SMS and feed
links on the board opened a blank page. `streamlit run app.py` finds ``app`` and serves both from one port.
"""

import streamlit as st
from starlette.routing import Route

from supplywatch.channels.serving import public_file

app = st.App("dashboard.py", routes=[Route("/public/{path:path}", public_file, methods=["GET", "HEAD"])])
