"""The Signals staff page: refused to the public, lists evidence, dismiss needs a reason, accept makes a draft."""

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import auth, db, signals
from supplywatch.alerts import store

from .conftest import NOW, Warehouse

PAGE = "../../app_pages/signals.py"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def seeded(isolated_db):
    auth.add_user("pat", "poster", PASSWORD, "test", NOW)
    wh = Warehouse()
    wh.sample(5, found=("carfentanil",), sample_id="DC-7")
    found = signals.run_all(wh.con, NOW)
    with db.app_connection() as app:
        signals.save(app, found, NOW)
    return found


def page(user=None, lang="en") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    if user:
        at.session_state["sw_user"] = {"username": user, "role": "poster"}
    at.session_state["lang"] = lang
    return at.run()


def texts(at) -> str:
    return "\n".join(t.value for t in at.text)


def test_anonymous_is_refused_and_audited(seeded):
    at = page()
    assert [w.value for w in at.warning][0].startswith("This page is for staff.")
    assert not at.text  # no suggestion leaks
    assert [r["detail"] for r in auth.account_audit() if r["action"] == "access_refused"] == ["signals needs poster|reviewer"]


def test_staff_see_the_suggestion_and_its_evidence_in_french(seeded):
    at = page("pat", lang="fr")
    assert not at.exception
    shown = texts(at)
    assert "PRUDENCE · Première détection" in shown
    assert "Premier signalement : carfentanil (Harbour)" in shown
    assert "samples on 2026-11-22: DC-7" in shown


def test_dismiss_without_reason_is_refused_then_with_reason_recorded(seeded):
    key = seeded[0].key
    at = page("pat")
    at.button(key=f"dismiss-{key}").click().run()
    assert [e.value for e in at.error] == ["A reason is needed to dismiss a suggestion."]
    assert signals.stored_suggestions("dismissed") == []
    at.text_input(key=f"reason-{key}").input("already alerted last week")
    at.button(key=f"dismiss-{key}").click().run()
    assert [s.value for s in at.success] == ["Dismissed."]
    [done] = signals.stored_suggestions("dismissed")
    assert (done.decided_by, done.reason) == ("pat", "already alerted last week")


def test_accept_creates_a_draft(seeded):
    key = seeded[0].key
    at = page("pat")
    at.button(key=f"accept-{key}").click().run()
    [message] = [s.value for s in at.success]
    [done] = signals.stored_suggestions("accepted")
    assert message == f"Draft {done.alert_id} created. Open 'Draft and review' to edit and submit it."
    assert store.get(done.alert_id).status == "draft"
