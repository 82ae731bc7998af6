"""On-page choices (substance, interval, population, region...) kept in the URL, so a reload or a shared link
shows the same view.

Each choice has its own query-string key, written only when it differs from the page's default (a plain link
stays plain). A value read back from the URL is used only when it is one of the widget's options; anything else
(an old link, a typo, an attack) is ignored and the default shown. The sidebar filters have their own keys
(supplywatch.filters.QUERY_KEYS); a page's keys must not reuse those.
"""

from __future__ import annotations

from typing import Sequence

import streamlit as st

from ..filters import QUERY_KEYS
from . import language


def url_text(value: object) -> str:
    """How an option is written in the URL: booleans as 1/0, None as 'none', anything else as its text."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return "none" if value is None else str(value)


def parse(raw: object, options: Sequence) -> tuple[bool, object]:
    """(found, option) for the URL text ``raw``: the option whose :func:`url_text` is ``raw``, else (False, None)."""
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None:
        return False, None
    text = str(raw).strip()[:200]
    for option in options:
        if url_text(option) == text:
            return True, option
    return False, None


def seed(key: str, param: str, options: Sequence) -> bool:
    """Before the widget ``key`` is drawn: give it the URL's value for ``param`` when the widget has none yet
    (first run of a session, or back on the page) and the value is one of ``options``; keep a current value only
    while it is still an option. True when the widget's value now comes from session state."""
    assert param not in (*QUERY_KEYS, language.KEY), f"{param!r} is a sidebar filter key"
    if key in st.session_state:
        if st.session_state[key] in options:
            return True
        del st.session_state[key]
    found, value = parse(st.query_params.get(param), options)
    if found:
        st.session_state[key] = value
    return found


def publish(param: str, value: object, default: object) -> None:
    """After the widget is drawn: write its value into the URL, or remove the key when it is the default."""
    if value == default:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != url_text(value):
        st.query_params[param] = url_text(value)


def keep(key: str, param: str, options: Sequence, default: object, draw):
    """Draw a keyed widget whose value lives in the URL under ``param``: seeded from the URL, written back after.

    ``draw(seeded)`` draws the widget with ``key`` and returns its value; ``seeded`` says whether session state
    already holds the value (then pass no ``index``/``value``: Streamlit warns when both are given). ``default``
    is what the widget shows when nothing was chosen; it is left out of the URL.
    """
    value = draw(seed(key, param, options))
    publish(param, value, default)
    return value
