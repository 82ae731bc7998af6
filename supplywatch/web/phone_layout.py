"""Wide and narrow alternatives of one view: a heat map on a wide screen, its table on a phone.

The server cannot know the screen's width, so both are drawn and a CSS media query shows one: containers keyed
``wide-...`` are hidden below :data:`NARROW_PX`, those keyed ``narrow-...`` at and above it (Streamlit gives a
keyed container the class ``st-key-<key>``). Hidden with ``display: none``, the other one is out of screen
readers' way too. The style is inline, which the deployment's Content-Security-Policy allows for styles
(``style-src 'unsafe-inline'``, which Streamlit itself needs); no script is involved.
"""

from __future__ import annotations

import streamlit as st

NARROW_PX = 640
CSS = (
    f"<style>@media (max-width: {NARROW_PX - 0.02}px) {{ [class*='st-key-wide-'] {{ display: none !important; }} }}"
    f"@media (min-width: {NARROW_PX}px) {{ [class*='st-key-narrow-'] {{ display: none !important; }} }}</style>"
)


def wide(name: str):
    """The container shown on wide screens only."""
    st.html(CSS)
    return st.container(key=f"wide-{name}")


def narrow(name: str):
    """The container shown on narrow screens (phones) only."""
    return st.container(key=f"narrow-{name}")
