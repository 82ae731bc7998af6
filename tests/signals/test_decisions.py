"""Suggestions are stored once, accepted into a draft alert or dismissed with a reason, by staff only."""

import pytest

from supplywatch import auth, db, signals
from supplywatch.alerts import store

from .conftest import NOW, Warehouse

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.usefixtures("app_backend")  # suggestions on the app file and in PostgreSQL alike


@pytest.fixture
def found():
    wh = Warehouse()
    wh.sample(5, found=("carfentanil",), sample_id="DC-7")
    wh.overdoses("Harbour", [3] * 10 + [2, 4, 3, 5, 4, 3, 3, 9, 9, 12])
    return signals.run_all(wh.con, NOW)


@pytest.fixture
def staff(isolated_db):
    for name, role in (("pat", "poster"), ("rene", "reviewer"), ("ada", "admin")):
        auth.add_user(name, role, PASSWORD, "test", NOW)
    return isolated_db


def test_same_signal_is_stored_once(isolated_db, found):
    with db.app_connection() as app:
        assert [s.key for s in signals.save(app, found, NOW)] == [s.key for s in found]
        assert signals.save(app, found, NOW) == []
        stored = signals.load(app)
    assert {s.suggestion.key for s in stored} == {s.key for s in found}
    first = next(s for s in stored if s.suggestion.rule == "first_detection")
    assert first.status == "new" and first.suggestion.evidence[1] == "samples on 2026-11-22: DC-7"
    assert first.suggestion.text["fr"].headline == "Premier signalement : carfentanil (Harbour)"


def test_dismiss_needs_a_reason_and_is_never_reopened(staff, found):
    with db.app_connection() as app:
        signals.save(app, found, NOW)
    key = found[0].key
    with pytest.raises(signals.DecisionError, match="^a reason is needed to dismiss a suggestion$"):
        signals.decide_dismiss(key, "rene", "   ", NOW)
    signals.decide_dismiss(key, "rene", "known cluster, alert already out", NOW)
    [done] = signals.stored_suggestions("dismissed")
    assert (done.suggestion.key, done.decided_by, done.reason) == (key, "rene", "known cluster, alert already out")
    with db.app_connection() as app:
        assert signals.save(app, found, NOW) == []  # the next run does not bring it back
    with pytest.raises(signals.DecisionError, match=r"was already dismissed by rene$"):
        signals.decide_dismiss(key, "pat", "again", NOW)


def test_accept_creates_a_draft_with_the_evidence(staff, found):
    with db.app_connection() as app:
        signals.save(app, found, NOW)
    first = next(s for s in found if s.rule == "first_detection")
    alert = signals.accept(first.key, "pat", NOW)
    assert (alert.status, alert.author, alert.severity) == ("draft", "pat", "caution")
    assert alert.regions == ("Harbour",) and alert.substances == ("carfentanil",)
    assert alert.evidence[0] == f"signal first_detection: {first.key}"
    assert "samples on 2026-11-22: DC-7" in alert.evidence
    assert alert.text["fr"].headline == "Premier signalement : carfentanil (Harbour)"
    assert store.get(alert.alert_id).status == "draft"  # a signal never publishes by itself
    [done] = signals.stored_suggestions("accepted")
    assert (done.suggestion.key, done.decided_by, done.alert_id) == (first.key, "pat", alert.alert_id)


@pytest.mark.parametrize("actor", ["nobody", "disabled"])
def test_only_active_staff_may_decide_and_refusals_are_audited(staff, found, actor):
    if actor == "disabled":
        auth.add_user("disabled", "reviewer", PASSWORD, "test", NOW)
        auth.set_disabled("disabled", True, "ada", NOW)
    with db.app_connection() as app:
        signals.save(app, found, NOW)
    with pytest.raises(signals.DecisionError, match="^dismiss signal needs the poster or reviewer role$"):
        signals.decide_dismiss(found[0].key, actor, "noise", NOW)
    with pytest.raises(signals.DecisionError, match="^accept signal needs the poster or reviewer role$"):
        signals.accept(found[0].key, actor, NOW)
    refusals = [r for r in auth.account_audit(actor) if r["action"] == "access_refused"]
    assert len(refusals) == 2
    assert signals.stored_suggestions("new") != []
