"""The reader's language: one owner, read one way.

It lives in ``st.session_state["lang"]`` ('en' or 'fr') and nowhere else:

- set once per session from the address (``?lang=fr``: a link shared in French opens in French), else English;
- changed only by the switch in the sidebar (:func:`switch`, drawn on every page by dashboard.py), whose widget
  keeps its own key and hands the choice over when it changes;
- mirrored by :func:`switch` into the address (``lang``, left out for English), so a reload or a shared link keeps it.

Everything else asks :func:`current`: the supply pages through their page ``Context`` (built from it on every run),
the alerts and staff pages through ``session.lang()``, the navigation through :func:`translator`. The sidebar
filters do not carry it, and it is never a cache key (cached results hold numbers, not words).
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from .. import i18n

KEY = "lang"  # in st.session_state and in the address
_WIDGET = "_sw_lang_widget"  # the switch's own widget state, handed over to KEY when the reader changes it


def current() -> str:
    """'en' or 'fr': the session's language, set from the address on the session's first read."""
    lang = st.session_state.get(KEY)
    if lang not in i18n.LANGUAGES:
        lang = st.query_params.get(KEY, "en")
        lang = lang if lang in i18n.LANGUAGES else "en"
        st.session_state[KEY] = lang
    return lang


def translator() -> Callable[[str], str]:
    """The ``_`` function for the reader's language."""
    return i18n.translator(current())


def _changed() -> None:
    st.session_state[KEY] = st.session_state[_WIDGET]


def switch() -> str:
    """The EN/FR switch in the sidebar, and the address's ``lang`` kept in step with the session's language."""
    lang = current()
    if st.session_state.get(_WIDGET) != lang:
        st.session_state[_WIDGET] = lang
    st.sidebar.selectbox(
        i18n.translator(lang)("Language"), list(i18n.LANGUAGES), key=_WIDGET,
        format_func=i18n.LANGUAGES.get, on_change=_changed,
    )
    if lang != "en":
        st.query_params[KEY] = lang
    elif KEY in st.query_params:
        del st.query_params[KEY]
    return lang
