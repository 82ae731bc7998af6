"""What `make run` serves: the dashboard (dashboard.py) and, on the same origin, the public files at /public/
and the one-hop /session/start that turns a staff sign-in into a session cookie.

Streamlit answers any other path with its own page shell, so without this route the poster, CAP, SMS and feed
links on the board opened a blank page. Streamlit pages cannot set cookies, so a sign-in that must survive a
reload goes through /session/start (supplywatch.staff_sessions). `streamlit run app.py` finds ``app`` and serves
all of it from one port.
"""

import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Route

from supplywatch.channels.serving import public_file
from supplywatch.delivery.one_click import one_click_unsubscribe
from supplywatch.web.first_view import lifespan
from supplywatch.web.page_shell import PREFIX, PageShell, shell_asset
from supplywatch.staff_sessions import session_start

# lifespan: what a first reader of each public page sees is computed in the background from the start
app = st.App("dashboard.py", lifespan=lifespan, routes=[
    Route("/public/{path:path}", public_file, methods=["GET", "HEAD"]),
    Route("/session/start", session_start, methods=["GET"]),
    # RFC 8058 one-click unsubscribe; a GET of /subscribe is still the Streamlit page with its button.
    Route("/subscribe", one_click_unsubscribe, methods=["POST"]),
    Route(PREFIX + "{name}", shell_asset, methods=["GET"]),  # our stylesheet and script for the page shell
], middleware=[Middleware(PageShell)])
