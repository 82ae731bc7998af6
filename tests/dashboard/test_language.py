"""The reader's language has one owner (supplywatch.web.language): a link in French opens any page in French,
the alerts and staff pages included, and the switch keeps the address's ``lang`` in step."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

PAGES = "../../app_pages/"


@pytest.mark.parametrize(("page", "title"), [
    ("sign_in.py", "Connexion du personnel"),
    ("get_help.py", "Où trouver de l’aide"),
    ("subscribe.py", "Alertes drogues par courriel"),
    ("alerts_board.py", "Alertes sur les drogues"),
    ("overview.py", "Cette semaine dans l'approvisionnement"),
])
def test_a_link_in_french_opens_the_page_in_french(fixture_db, page, title):
    """Opened straight from a shared link (?lang=fr), before any other page of the session has run."""
    at = AppTest.from_file(PAGES + page, default_timeout=60)
    at.query_params["lang"] = "fr"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [title]
    assert at.session_state["lang"] == "fr"


def test_the_switch_keeps_the_address_in_step(fixture_db):
    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    at.query_params["lang"] = "fr"
    at.query_params["region"] = "North"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["lang"] == "fr" and at.query_params["region"] == "North"
    at.sidebar.selectbox(key="_sw_lang_widget").set_value("en").run()
    assert at.session_state["lang"] == "en"
    assert "lang" not in at.query_params and at.query_params["region"] == "North"
    assert [t.value for t in at.title] == ["This week in the supply"]
