"""Who is reading, and how numbers and dates are written for them: the page Context."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import streamlit as st

from .. import auth, i18n, suppression
from ..filters import Filters

STAFF_ROLES = auth.ROLES  # any staff account sees exact counts


def is_staff() -> bool:
    """True for a signed-in staff user (set by the alerts sign-in as st.session_state['sw_user'])."""
    user = st.session_state.get("sw_user")
    return isinstance(user, dict) and user.get("role") in STAFF_ROLES


def suppress_k() -> int:
    """k for small-cell suppression: env SUPPLYWATCH_SUPPRESS_K, else secrets 'suppress_k', else 5."""
    try:
        secret = st.secrets.get("suppress_k")
    except Exception:  # no secrets file: the default applies
        secret = None
    default = int(secret) if isinstance(secret, int) or (isinstance(secret, str) and secret.isdigit()) else 5
    return suppression.k_from_env(max(2, default))


@functools.lru_cache(maxsize=4096)
def _number(value, lang: str, digits: int) -> str:
    return i18n.format_number(value, lang, digits)


@functools.lru_cache(maxsize=4096)
def _percent(share, lang: str, digits: int) -> str:  # babel costs ~30 µs a call; Trends' table asks ~300 times
    return i18n.format_percent(share, lang, digits)


@functools.lru_cache(maxsize=4096)
def _date(value: dt.date, lang: str) -> str:
    return i18n.format_date(value, lang)


@dataclass
class Context:
    """What a page needs: filters, language (the reader's, from web.language, for this run), translator, whether
    counts are exact, and k."""

    f: Filters
    lang: str
    _: Callable[[str], str]
    staff: bool
    k: int

    def number(self, value, digits: int = 0) -> str:
        return _number(value, self.lang, digits)

    def percent(self, share, digits: int = 0) -> str:
        return _percent(share, self.lang, digits)

    def month(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, pd.Timestamp):
            value = value.date()
        return i18n.format_date(value, self.lang, "MMM y")

    def date(self, value) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, pd.Timestamp):
            value = value.date()
        return _date(value, self.lang)
