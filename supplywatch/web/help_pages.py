"""The help directory on the dashboard's public pages: read once per change of the app file, shown as text.

Entries were cleaned to plain text when loaded; here they are escaped again for markdown, and a
site's address is a link button (an element that takes a URL), never markdown built around it.
"""

from __future__ import annotations

import streamlit as st

from .. import app_version, help_directory
from ..alerts.text import escape_markdown
from ..weblinks import public_link


@st.cache_data(show_spinner=False, max_entries=4)
def _entries(version: str) -> list:
    """The whole directory (public reference data, the same for every reader), per version of the app file."""
    return help_directory.current()


def entries() -> list:
    try:
        return _entries(app_version.APP_VERSION.token())
    except Exception:  # an app file being migrated or busy must never take a public page down
        return []


def show(shown: list, lang: str, key: str) -> None:
    """One line per entry (kind, name, address, hours or 24/7, phone), its notes, and its site as a link button."""
    for i, entry in enumerate(shown):
        st.markdown("- " + escape_markdown(entry.line(lang)))
        if entry.notes.get(lang):
            st.caption(escape_markdown(entry.notes[lang]))
        url = public_link(entry.url) if entry.url else None
        if url:
            st.link_button(escape_markdown(entry.name[lang]), url, type="tertiary", key=f"{key}-{i}")


def for_alert(alert, lang: str, key: str) -> None:
    """'Where to get help' under an alert: the entries for its regions, then those for everywhere."""
    shown = help_directory.for_regions(entries(), alert.regions)
    if shown:
        st.markdown("**" + escape_markdown(help_directory.HEADING[lang]) + "**")
        show(shown, lang, key)
