"""The rules that protect people hold when several servers share the app state: each racing step runs in its own
process (tests/backends/race.py), against the app file and against one PostgreSQL database.

Two reviewers approving one version at once publish it once; an approval racing a retraction ends in a state some
one-at-a-time order would give, never two published versions; and on PostgreSQL the partial unique index refuses a
second published version even from a code path that skips the store's checks.
"""

from __future__ import annotations

import os
from collections import Counter

import duckdb
import pytest

from supplywatch import db
from supplywatch.alerts import store

from .race import NOW, race

pytestmark = pytest.mark.usefixtures("app_backend")
ALERT = "SW-2026-0001"


def statuses() -> dict[int, str]:
    return {a.version: a.status for a in store.versions(ALERT)}


def test_two_reviewers_approving_at_once_from_two_processes_publish_once(draft):
    store.submit_for_review(draft().alert_id, "pat", NOW)
    outcomes = race([["approve", ALERT, "rae"], ["approve", ALERT, "rob"]], dict(os.environ))
    published = [o for o in outcomes if o == f"ok {ALERT}@1"]
    refused = [o for o in outcomes if o != f"ok {ALERT}@1"]
    assert len(published) == 1, outcomes
    assert refused[0] in (
        f"ConcurrentChange: {ALERT} was changed by someone else at the same moment; reload and try again",
        f"AlertError: {ALERT}@1 is published, not in review",
    ), outcomes
    assert statuses() == {1: "published"}
    actions = Counter(r["action"] for r in store.audit_log(ALERT))
    assert actions["published"] == 1
    approver = store.get(ALERT).approver
    assert approver in ("rae", "rob") and published == [f"ok {ALERT}@1"]


# Every state a one-at-a-time order of "approve the correction" and "retract the alert" can leave.
SERIAL_ENDS = {
    (f"ok {ALERT}@2", f"ok {ALERT}@3"): {1: "superseded", 2: "superseded", 3: "cancelled"},  # approve, then retract
    (f"ok {ALERT}@2", "refused"): {1: "superseded", 2: "published"},  # approve; the retraction refused
    ("refused", f"ok {ALERT}@3"): {1: "superseded", 2: "in_review", 3: "cancelled"},  # retract; approval refused
}


def test_approving_a_correction_while_retracting_leaves_one_serial_outcome(draft, make_text):
    store.submit_for_review(draft().alert_id, "pat", NOW)
    store.approve(ALERT, "rae", NOW)
    store.correct(ALERT, actor="pat", now=NOW, text=make_text("Carfentanil and xylazine found in down."),
                  severity="caution", regions=["Victoria"], evidence=["sample S-2 2026-11-26"])
    store.submit_for_review(ALERT, "pat", NOW)
    approve, retract = race([["approve", ALERT, "rae"], ["retract", ALERT, "rob"]], dict(os.environ))
    ends = (approve if approve.startswith("ok") else "refused", retract if retract.startswith("ok") else "refused")
    assert ends in SERIAL_ENDS, (approve, retract)
    assert statuses() == SERIAL_ENDS[ends]
    assert list(statuses().values()).count("published") <= 1


def test_two_versions_set_published_at_once_one_is_refused_by_postgresql(draft, app_backend):
    if app_backend != "postgres":
        pytest.skip("DuckDB has no partial unique index; the app file relies on the store's checks alone")
    store.submit_for_review(draft().alert_id, "pat", NOW)
    with db.app_connection() as con:  # a second version in review beside the first, as no store path makes
        con.execute(f"INSERT INTO alert_versions SELECT alert_id, 2, {store._COLS.split(', ', 2)[2]}"
                    " FROM alert_versions WHERE alert_id = ? AND version = 1", [ALERT])
    outcomes = race([["publish_row", ALERT, 1], ["publish_row", ALERT, 2]], dict(os.environ))
    assert sorted(o.split(":")[0] for o in outcomes) in (["ConstraintException", "ok published"],
                                                          ["TransactionException", "ok published"]), outcomes
    assert sorted(statuses().values()) == ["in_review", "published"]
    with db.app_connection() as con:  # and one alone, with no race at all, is refused too
        with pytest.raises(duckdb.ConstraintException, match="one_published_version"):
            con.execute("UPDATE alert_versions SET status = 'published' WHERE alert_id = ? AND status <> 'published'",
                        [ALERT])
