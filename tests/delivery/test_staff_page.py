"""The staff delivery page: only reviewers and admins open it; it shows counts per region and language, the queue,
dead letters with their reason, webhooks, and removes an address on request (audited by its keyed hash only)."""

from __future__ import annotations

import pytest

from supplywatch import auth, db
from supplywatch.delivery import keys, subscribers, webhooks
from tests.alerts.test_pages import click, page

from .test_subscriptions import NOW, drain, publish, rows, subscribed

ANA, BEA = "ana@outreach.example.org", "bea@pharmacie.example.org"


@pytest.mark.parametrize("user, allowed", [(None, False), ("pat", False), ("rae", True), ("ada", True)])
def test_only_reviewers_and_admins_see_it(subscriber_key, staff, user, allowed):
    at = page("staff_delivery.py", user)
    if allowed:
        assert at.title[0].value == "Alert delivery"
    else:
        assert [t.value for t in at.title] == []
        assert [*(e.value for e in at.error), *(w.value for w in at.warning)] == [
            "Your account does not have access to this page." if user else
            "This page is for staff. Sign in with a staff account first (Staff sign-in in the menu)."]
        if user:
            [refusal] = [r for r in auth.account_audit(user) if r["action"] == "access_refused"]
            assert refusal["detail"] == "staff_delivery needs reviewer|admin"


def test_counts_queue_and_dead_letters_with_their_reason(inbox, draft):
    subscribed(inbox, ANA, regions=("Victoria",), lang="en")
    subscribed(inbox, BEA, regions=(), lang="fr")
    inbox.refuse.add(ANA)
    publish(draft)
    drain()
    at = page("staff_delivery.py", "rae")
    [counts, problems] = at.dataframe
    assert counts.value.to_dict("records") == [
        {"Region": "Every region", "Language": "Français", "Confirmed subscribers": 1},
        {"Region": "Victoria", "Language": "English", "Confirmed subscribers": 1}]
    assert "Not delivered: 1 · Sent: 3" in [m.value for m in at.markdown]
    [dead] = problems.value.to_dict("records")
    assert dead == {"What": "SW-2026-0001 v1", "To": "Email", "State": "Not delivered", "Attempts": 1,
                    "Reason": "recipient refused: 550 5.1.1 <<recipient>>: mailbox unavailable"}
    assert ANA not in str(at)  # no address anywhere on the page


def test_remove_an_address_by_typing_it(inbox, draft):
    subscribed(inbox, ANA)
    at = page("staff_delivery.py", "ada")
    at.text_input(key="remove_address_input").input("Ana@Outreach.example.org")
    at = click(at, "Remove this address")
    assert [s.value for s in at.success] == ["Removed: the address and its queued messages are deleted."]
    assert rows("SELECT count(*) FROM subscribers") == [(0,)]
    [(actor, action, address_hash, detail)] = rows(
        "SELECT actor, action, address_hash, detail FROM subscription_audit WHERE action = 'removed'")
    assert (actor, action, detail) == ("ada", "removed", None)
    assert address_hash == keys.keyed_hash("address", ANA)
    with db.app_connection() as con:
        dump = str(con.execute("SELECT * FROM subscription_audit").fetchall())
    assert "ana@" not in dump.lower()
    at.text_input(key="remove_address_input").input(ANA)
    at = click(at, "Remove this address")
    assert [s.value for s in at.success] == ["That address is not subscribed."]
    at.text_input(key="remove_address_input").input("not an address")
    at = click(at, "Remove this address")
    assert [e.value for e in at.error] == ["'not an address' is not an email address"]


def test_register_and_remove_a_webhook(subscriber_key, staff):
    at = page("staff_delivery.py", "rae")
    at.text_input(key="hook_name").input("Island SMS gateway")
    at.text_input(key="hook_url").input("http://gateway.example.org/in")
    at = click(at, "Register webhook")
    assert [e.value for e in at.error] == ["webhook 'http://gateway.example.org/in' refused: use an https:// address"]
    at.text_input(key="hook_name").input("Island *SMS* gateway")
    at.text_input(key="hook_url").input("https://sms.example.org/in/t0ken")
    at.text_input(key="hook_regions").input("Victoria, Nanaimo")
    at = click(at, "Register webhook")
    [hook] = webhooks.listing()
    assert at.success[0].value == (f"Webhook {hook['webhook_id']} registered. Its signing secret is shown once: "
                                   "pass it on safely.")
    assert len(at.code[0].value) >= 40
    at = page("staff_delivery.py", "rae")
    assert "**Island \\*SMS\\* gateway** · sms\\.example\\.org · Victoria, Nanaimo · Information · English" in [
        m.value for m in at.markdown]
    assert "t0ken" not in str(at)
    at = click(at, "Disable")
    assert [s.value for s in at.success] == ["Webhook disabled."] and webhooks.listing()[0]["disabled"] is True
    assert "**Island \\*SMS\\* gateway** · sms\\.example\\.org · Victoria, Nanaimo · Information · English · Disabled" in [
        m.value for m in at.markdown]
    at = click(at, "Enable")
    assert webhooks.listing()[0]["disabled"] is False
    at = click(at, "Remove")
    assert webhooks.listing() == []
    assert [s.value for s in at.success] == ["Webhook removed."]
