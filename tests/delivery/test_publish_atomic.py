"""Publishing and the messages it owes are one transaction: when queueing the messages fails, the alert is not
published (nor retracted), nothing is queued, nothing is audited as done and the public files are not rewritten;
on the app file and in PostgreSQL alike. The queueing is the alerts package's outbox (supplywatch.alerts.outbox),
called inside the approval's transaction."""

from __future__ import annotations

import pytest

from supplywatch.alerts import outbox, store
from supplywatch.delivery import webhooks

from .test_subscriptions import NOW, rows

pytestmark = pytest.mark.usefixtures("app_backend")


class QueueBroken(RuntimeError):
    pass


@pytest.fixture
def hook(subscriber_key, staff, published_calls):
    """One enabled webhook for Victoria, so a published Victoria alert owes it one message."""
    webhook_id, _ = webhooks.register("Outreach", "https://hooks.example.org/t/1", ["Victoria"], "caution", "en",
                                      "ada", NOW)
    return webhook_id


@pytest.fixture
def broken_queue(monkeypatch):
    """Queueing fails after the webhook's row is written: the transaction then holds a row that must not stay."""
    real = outbox._enqueue

    def failing(con, alert, now, kind, *args):
        inserted = real(con, alert, now, kind, *args)
        if kind == "webhook":
            assert inserted == 1
            raise QueueBroken("the delivery queue refused the row")
        return inserted

    def broken():
        monkeypatch.setattr(outbox, "_enqueue", failing)

    return broken


def actions(alert_id):
    return [r[0] for r in rows("SELECT action FROM alert_audit WHERE alert_id = ? ORDER BY audit_id", [alert_id])]


def test_a_failed_enqueue_leaves_the_alert_unapproved(hook, draft, broken_queue, published_calls):
    alert = draft()
    store.submit_for_review(alert.alert_id, "pat", NOW)
    broken_queue()
    with pytest.raises(QueueBroken):
        store.approve(alert.alert_id, "rae", NOW)
    after = store.get(alert.alert_id)
    assert (after.status, after.approver, after.published_at) == ("in_review", None, None)
    assert rows("SELECT count(*) FROM deliveries") == [(0,)]
    assert actions(alert.alert_id) == ["created", "submitted"]
    assert published_calls == []


def test_a_failed_enqueue_leaves_the_retraction_undone(hook, draft, broken_queue, published_calls):
    alert = draft()
    store.submit_for_review(alert.alert_id, "pat", NOW)
    store.approve(alert.alert_id, "rae", NOW)
    assert rows("SELECT kind, version FROM deliveries") == [("webhook", 1)]
    broken_queue()
    with pytest.raises(QueueBroken):
        store.retract(alert.alert_id, "rae", "lab result withdrawn", NOW)
    assert [(v.version, v.status, v.msg_type) for v in store.versions(alert.alert_id)] == [(1, "published", "Alert")]
    assert rows("SELECT kind, version FROM deliveries") == [("webhook", 1)]
    assert actions(alert.alert_id) == ["created", "submitted", "published"]
    assert len(published_calls) == 1  # the approval's refresh only


def test_the_same_step_publishes_and_queues_once_the_queue_works(hook, draft):
    alert = draft()
    store.submit_for_review(alert.alert_id, "pat", NOW)
    assert store.approve(alert.alert_id, "rae", NOW).status == "published"
    assert rows("SELECT subscriber_id, kind, alert_id, version, status FROM deliveries") == [
        (hook, "webhook", alert.alert_id, 1, "queued")]
