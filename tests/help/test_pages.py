"""The public "Where to get help" page lists the directory by region in the reader's language, and the public board
shows the entries for an active alert's regions under it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import help_directory
from supplywatch.web import session
from supplywatch.alerts import store

from .test_directory import NOW

ROOT = Path(__file__).resolve().parents[2]
PAGES = "../../app_pages/"


def run(name, lang="en"):
    at = AppTest.from_file(PAGES + name, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at):
    """The markdown shown, read as text (escapes removed: every entry is escaped, so no text becomes markup)."""
    return [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(session, "now", lambda: NOW)


def test_the_page_says_when_there_is_no_directory(isolated_db):
    at = run("get_help.py", "fr")
    assert at.title[0].value == "Où trouver de l’aide"
    assert [i.value for i in at.info] == [
        "Aucun répertoire d’aide n’a encore été publié pour ce site. En cas d’urgence, appelez le 911."]


@pytest.mark.parametrize("lang, heading, first, everywhere", [
    ("en", "Where to get help", "- Drug checking: Harbour Street Drug Checking (demo), 12 Harbour St., Capital, "
                                "Mon-Sat 10:00-18:00, 555-0101", "Every region"),
    ("fr", "Où trouver de l’aide", "- Analyse de drogues : Analyse de drogues Harbour Street (démo), "
                                   "12 Harbour St., Capital, lun.-sam. 10 h-18 h, 555-0101",
     "Toutes les régions"),
])
def test_the_page_lists_every_region_then_everywhere(isolated_db, lang, heading, first, everywhere):
    help_directory.load(ROOT / "data" / "help_directory.csv", "ada", NOW)
    at = run("get_help.py", lang)
    assert at.title[0].value == heading
    assert [s.value for s in at.header] == ["Capital", "Interior", "Metro", "North Coast", "Valley", everywhere]
    assert texts(at)[0] == first
    assert len(texts(at)) == 13
    at.selectbox(key=f"help_region_{lang}").select("Valley")
    at.run()
    assert [s.value for s in at.header] == ["Valley", everywhere]
    assert len(texts(at)) == 3


def test_the_board_shows_where_to_get_help_under_an_active_alert(draft, clock):
    help_directory.load(ROOT / "data" / "help_directory.csv", "ada", NOW)
    alert = draft(regions=("Metro",))
    store.submit_for_review(alert.alert_id, "pat", NOW)
    store.approve(alert.alert_id, "rae", NOW)
    at = run("alerts_board.py")
    shown = texts(at)
    start = shown.index("**Where to get help**")
    assert shown[start + 1:start + 7] == [
        "- Drug checking: Metro Drug Checking at Main (demo), 301 Main St., Metro, Tue-Sun 11:00-19:00, "
        "555-0111",
        "- Naloxone: Metro Outreach Van (demo), Downtown Metro (call for the van's location), Every evening "
        "18:00-02:00, 555-0112",
        "- Supervised consumption and overdose prevention: Main Street Supervised Consumption Site (demo), "
        "305 Main St., Metro, 24/7, 555-0113",
        "- Treatment and detox entry: Metro Rapid Access Addiction Clinic (demo), 1 Hospital Way, Metro, "
        "Mon-Fri 8:00-16:00, 555-0114",
        "- Crisis line: Crisis and Suicide Line (demo), 24/7, 555-0150",
        "- Spotting line (don't use alone): Don't Use Alone Spotting Line (demo), 24/7, 555-0160",
    ]
