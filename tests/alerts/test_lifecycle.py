"""Alert lifecycle on a frozen clock: every transition, every refusal, the audit rows, two-person rule, expiry."""

from __future__ import annotations

import datetime as dt

import pytest

from supplywatch import auth
from supplywatch.alerts import store

H = dt.timedelta(hours=1)
pytestmark = pytest.mark.usefixtures("app_backend")  # the app file and PostgreSQL alike


def trail(alert_id):
    """(actor, action, version) of each audit row of one alert, oldest first."""
    return [(r["actor"], r["action"], r["version"]) for r in store.audit_log(alert_id)]


def publish(draft, now, author="pat", approver="rae", **kw):
    a = draft(author=author, **kw)
    store.submit_for_review(a.alert_id, author, now)
    return store.approve(a.alert_id, approver, now + H)


def test_draft_review_publish_with_exact_audit(draft, now, published_calls):
    a = draft()
    assert (a.alert_id, a.key, a.status, a.msg_type, a.author) == ("SW-2026-0001", "SW-2026-0001@1", "draft", "Alert", "pat")
    assert a.expires_at == now + dt.timedelta(days=14)  # caution default lifetime
    assert store.submit_for_review(a.alert_id, "pat", now).status == "in_review"
    p = store.approve(a.alert_id, "rae", now + H)
    assert (p.status, p.approver, p.published_at, p.flagged_for_review) == ("published", "rae", now + H, False)
    assert trail(a.alert_id) == [("pat", "created", 1), ("pat", "submitted", 1), ("rae", "published", 1)]
    assert [x.key for x in store.active_alerts(now + 2 * H)] == ["SW-2026-0001@1"]
    assert published_calls[-1]["active"] == ["SW-2026-0001@1"]
    assert draft().alert_id == "SW-2026-0002"


def test_author_cannot_approve_own_alert(draft, now, published_calls):
    a = draft(author="rae")
    store.submit_for_review(a.alert_id, "rae", now)
    with pytest.raises(store.AlertError) as exc:
        store.approve(a.alert_id, "rae", now)
    assert str(exc.value) == "rae wrote SW-2026-0001@1 and cannot approve it: another reviewer must (two-person rule)"
    assert store.get(a.alert_id).status == "in_review"
    assert trail(a.alert_id)[-1] == ("rae", "refused", None)
    assert store.audit_log(a.alert_id)[-1]["detail"].startswith("approve: rae wrote")
    assert published_calls == []


@pytest.mark.parametrize("setting, severity, allowed", [
    ("warning", "warning", True), ("warning", "caution", False), ("", "warning", False), ("true", "warning", True),
])
def test_single_person_publish_only_for_warning_when_deployment_allows(draft, now, monkeypatch, setting, severity,
                                                                       allowed, published_calls):
    monkeypatch.setenv("SUPPLYWATCH_SINGLE_PERSON_PUBLISH", setting)
    a = draft(author="rae", severity=severity)
    store.submit_for_review(a.alert_id, "rae", now)
    if allowed:
        p = store.approve(a.alert_id, "rae", now)
        assert (p.status, p.flagged_for_review, p.approver) == ("published", True, "rae")
        assert store.audit_log(a.alert_id)[-1]["action"] == "published_single_person"
        assert store.audit_log(a.alert_id)[-1]["detail"] == "flagged for review: single-person publish"
    else:
        with pytest.raises(store.AlertError, match="two-person rule"):
            store.approve(a.alert_id, "rae", now)


@pytest.mark.parametrize("actor, step, message", [
    ("pat", lambda i, who, t: store.approve(i, who, t), "approve needs the reviewer role; pat is poster"),
    ("pat", lambda i, who, t: store.return_to_draft(i, who, "no", t), "return to draft needs the reviewer role; pat is poster"),
    ("pat", lambda i, who, t: store.retract(i, who, "no", t), "retract needs the reviewer role; pat is poster"),
    ("ghost", lambda i, who, t: store.submit_for_review(i, who, t), "'ghost' is not an active staff account"),
])
def test_wrong_role_refused_and_audited(draft, now, actor, step, message):
    a = draft()
    with pytest.raises(store.AlertError) as exc:
        step(a.alert_id, actor, now)
    assert str(exc.value) == message
    assert store.audit_log(a.alert_id)[-1]["detail"].endswith(message)


def test_disabled_reviewer_loses_access_at_once(draft, now):
    a = draft()
    store.submit_for_review(a.alert_id, "pat", now)
    auth.set_disabled("rae", True, actor="ada", now=now)
    with pytest.raises(store.AlertError, match="^'rae' is not an active staff account$"):
        store.approve(a.alert_id, "rae", now)


@pytest.mark.parametrize("steps, message", [
    (["approve"], "SW-2026-0001@1 is draft, not in review"),
    (["submit", "submit"], "SW-2026-0001@1 is in review, not draft"),
    (["return"], "SW-2026-0001@1 is draft, not in review"),
    (["correct"], "only a published alert can be corrected; SW-2026-0001 is draft"),
    (["retract"], "only a published alert can be retracted; SW-2026-0001 is draft"),
])
def test_transitions_out_of_order_are_refused(draft, now, make_text, steps, message, published_calls):
    a = draft()
    do = {
        "approve": lambda: store.approve(a.alert_id, "rae", now),
        "submit": lambda: store.submit_for_review(a.alert_id, "pat", now),
        "return": lambda: store.return_to_draft(a.alert_id, "rae", "why", now),
        "correct": lambda: store.correct(a.alert_id, text=make_text(), severity="caution", regions=["Victoria"],
                                         actor="pat", now=now),
        "retract": lambda: store.retract(a.alert_id, "rae", "why", now),
    }
    for s in steps[:-1]:
        do[s]()
    with pytest.raises(store.AlertError) as exc:
        do[steps[-1]]()
    assert str(exc.value) == message


def test_return_to_draft_needs_reason_then_revise_and_resubmit(draft, now, make_text):
    a = draft()
    store.submit_for_review(a.alert_id, "pat", now)
    with pytest.raises(store.AlertError, match="^a reason is required to return an alert to draft$"):
        store.return_to_draft(a.alert_id, "rae", "  ", now)
    back = store.return_to_draft(a.alert_id, "rae", "Say which site.", now)
    assert (back.status, back.status_reason) == ("draft", "Say which site.")
    revised = store.revise_draft(a.alert_id, text=make_text("Carfentanil found at the Johnson St site."),
                                 severity="warning", regions=["Victoria"], actor="pat", now=now)
    assert (revised.version, revised.severity, revised.text["en"].headline) == (1, "warning", "Carfentanil found at the Johnson St site.")
    assert store.versions(a.alert_id) == [revised]
    assert [r["action"] for r in store.audit_log(a.alert_id)] == ["created", "submitted", "refused", "returned_to_draft", "revised"]
    assert "Carfentanil found in down sold as fentanyl." in store.audit_log(a.alert_id)[-1]["detail"]


def test_submit_needs_french_text(draft, now):
    a = draft(text={"en": {"headline": "Xylazine in down.", "details": "", "what_to_do": "Carry naloxone."}})
    with pytest.raises(store.AlertError, match=r"^headline \(fr\): required$"):
        store.submit_for_review(a.alert_id, "pat", now)


def test_correction_is_a_new_version_reviewed_then_supersedes(draft, now, make_text, published_calls):
    p = publish(draft, now)
    c = store.correct(p.alert_id, text=make_text("Carfentanil found in down and in pills."), severity="warning",
                      regions=["Victoria", "Nanaimo"], actor="pat", now=now + 2 * H)
    assert (c.version, c.status, c.msg_type, c.references) == (2, "draft", "Update", "SW-2026-0001@1")
    # the original stays on the board until the correction is approved
    assert [a.key for a in store.active_alerts(now + 2 * H)] == ["SW-2026-0001@1"]
    with pytest.raises(store.AlertError, match=r"^a correction of SW-2026-0001 is already in progress \(SW-2026-0001@2\)$"):
        store.correct(p.alert_id, text=make_text(), severity="warning", regions=["Victoria"], actor="pat", now=now)
    store.submit_for_review(p.alert_id, "pat", now + 2 * H)
    store.approve(p.alert_id, "rob", now + 3 * H)
    assert [(v.version, v.status) for v in store.versions(p.alert_id)] == [(1, "superseded"), (2, "published")]
    assert [a.key for a in store.active_alerts(now + 3 * H, region="Nanaimo")] == ["SW-2026-0001@2"]
    assert [a.key for a in store.history(now + 3 * H)] == ["SW-2026-0001@2", "SW-2026-0001@1"]
    assert trail(p.alert_id)[3:] == [("pat", "correction_drafted", 2), ("pat", "refused", None),
                                     ("pat", "submitted", 2), ("rob", "superseded", 1), ("rob", "published", 2)]


def test_retraction_is_a_cancel_version_visible_as_retracted(draft, now, published_calls):
    p = publish(draft, now)
    with pytest.raises(store.AlertError, match="^a reason is required to retract an alert$"):
        store.retract(p.alert_id, "rob", "", now + 2 * H)
    r = store.retract(p.alert_id, "rob", "Lab confirmed it was fentanyl, not carfentanil.", now + 2 * H)
    assert (r.version, r.status, r.msg_type, r.references, r.is_retracted) == (2, "cancelled", "Cancel", "SW-2026-0001@1", True)
    assert r.text == p.text and r.status_reason == "Lab confirmed it was fentanyl, not carfentanil."
    assert store.active_alerts(now + 2 * H) == []
    assert [a.key for a in store.past_alerts(now + 2 * H)] == ["SW-2026-0001@2"]
    assert [(v.version, v.status) for v in store.versions(p.alert_id)] == [(1, "superseded"), (2, "cancelled")]
    assert published_calls[-1]["active"] == [] and "SW-2026-0001@2" in published_calls[-1]["history"]
    with pytest.raises(store.AlertError, match="only a published alert can be retracted; SW-2026-0001 is cancelled"):
        store.retract(p.alert_id, "rob", "again", now + 3 * H)


def test_pending_correction_cannot_publish_after_retraction(draft, now, make_text, published_calls):
    p = publish(draft, now)
    store.correct(p.alert_id, text=make_text(), severity="caution", regions=["Victoria"], actor="pat", now=now + H)
    store.retract(p.alert_id, "rae", "Wrong site.", now + 2 * H)
    with pytest.raises(store.AlertError, match=r"^SW-2026-0001 was retracted \(SW-2026-0001@3\); start a new alert instead$"):
        store.submit_for_review(p.alert_id, "pat", now + 3 * H)


def test_expiry_without_anyone_acting_then_recorded(draft, now, published_calls):
    p = publish(draft, now, expires_at=now + 5 * H)
    assert p.is_active(now + 4 * H) and not p.is_active(now + 5 * H)
    assert [a.key for a in store.active_alerts(now + 4 * H)] == [p.key]
    assert store.active_alerts(now + 5 * H) == []  # gone at expiry, before expire_due ran
    assert store.expire_due(now + 4 * H) == []
    assert store.expire_due(now + 6 * H) == ["SW-2026-0001@1"]
    assert store.get(p.alert_id).status == "expired"
    assert trail(p.alert_id)[-1] == ("system", "expired", 1)
    assert [a.key for a in store.past_alerts(now + 6 * H)] == [p.key]
    assert published_calls[-1]["active"] == []
    assert store.expire_due(now + 7 * H) == []


def test_board_order_most_severe_then_newest(draft, now, published_calls):
    info = publish(draft, now, severity="information")
    warn_old = publish(draft, now + H, severity="warning")
    warn_new = publish(draft, now + 2 * H, severity="warning", regions=("Nanaimo",))
    caution = publish(draft, now + 3 * H, severity="caution")
    order = [a.alert_id for a in store.active_alerts(now + 10 * H)]
    assert order == [warn_new.alert_id, warn_old.alert_id, caution.alert_id, info.alert_id]
    assert [a.alert_id for a in store.active_alerts(now + 10 * H, region="Nanaimo")] == [warn_new.alert_id]


@pytest.mark.parametrize("kw, message", [
    ({"severity": "urgent"}, "severity 'urgent': choose one of information, caution, warning"),
    ({"regions": ()}, "regions: at least one is required"),
    ({"expires_at": "past"}, "expiry must be in the future"),
    ({"expires_at": "far"}, "expiry must be within 90 days"),
    ({"links": ["javascript:alert(1)"]}, "link 'javascript:alert(1)' refused: only http, https, mailto and tel links are allowed"),
    ({"text": {"en": {"headline": "<b></b>", "details": "", "what_to_do": ""}}}, "headline (en): required"),
])
def test_bad_fields_refused_with_one_line_message(draft, now, kw, message):
    if kw.get("expires_at") == "past":
        kw["expires_at"] = now - H
    elif kw.get("expires_at") == "far":
        kw["expires_at"] = now + dt.timedelta(days=91)
    with pytest.raises(store.AlertError) as exc:
        draft(**kw)
    assert str(exc.value) == message


def test_text_is_cleaned_before_storage(draft, now):
    a = draft(text={"en": {"headline": "<script>alert(1)</script>Carfentanil <img src=x onerror=alert(1)>found.",
                           "details": "[more](javascript:alert(1)) and [site](https://example.org)",
                           "what_to_do": "Carry naloxone."}},
              links=["https://example.org/alert", "tel:+18005551234"])
    t = store.get(a.alert_id).text["en"]
    assert t.headline == "Carfentanil found."
    assert t.details == "more and site (https://example.org)"
    assert store.get(a.alert_id).links == ("https://example.org/alert", "tel:+18005551234")


def test_channel_failure_is_reported_but_alert_stays_published(draft, now, monkeypatch):
    import supplywatch.channels as channels

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(channels, "publish_all", broken)
    p = publish(draft, now)
    assert p.status == "published"
    assert store.last_publish() == store.PublishOutcome(False, "public files not updated: OSError: disk full")
    assert store.audit_log(p.alert_id)[-1]["action"] == "published"


def test_csv_export_is_formula_guarded(draft, now, published_calls):
    p = publish(draft, now, text={
        "en": {"headline": "=HYPERLINK(\"http://x\")", "details": "@SUM(1)", "what_to_do": "-2+3"},
        "fr": {"headline": "+1", "details": "", "what_to_do": "x"}})
    body = store.alerts_csv([p]).decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'@SUM(1)" in body and "'-2+3" in body
    assert "pat" not in body and "sample S-1" not in body


def test_single_person_publish_gets_a_second_look_from_someone_else(draft, now, monkeypatch, published_calls):
    monkeypatch.setenv("SUPPLYWATCH_SINGLE_PERSON_PUBLISH", "warning")
    a = draft(author="rae", severity="warning")
    store.submit_for_review(a.alert_id, "rae", now)
    store.approve(a.alert_id, "rae", now)
    with pytest.raises(store.AlertError, match="^rae published SW-2026-0001@1 alone; the second look must be someone else's$"):
        store.second_look(a.alert_id, "rae", now + H)
    done = store.second_look(a.alert_id, "rob", now + H)
    assert (done.status, done.flagged_for_review) == ("published", False)
    assert trail(a.alert_id)[-2:] == [("rae", "refused", None), ("rob", "second_look", 1)]
    with pytest.raises(store.AlertError, match="^SW-2026-0001@1 is not waiting for a second look$"):
        store.second_look(a.alert_id, "ada", now + 2 * H)


def test_two_reviewers_approving_at_once_publish_exactly_once(draft, now, published_calls):
    import threading

    a = draft()
    store.submit_for_review(a.alert_id, "pat", now)
    outcomes = []

    def approve(who):
        try:
            outcomes.append(store.approve(a.alert_id, who, now).status)
        except store.AlertError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=approve, args=(who,)) for who in ("rae", "rob")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["AlertError", "published"] or sorted(outcomes) == ["ConcurrentChange", "published"]
    assert [r["action"] for r in store.audit_log(a.alert_id)].count("published") == 1


def test_drafts_created_at_once_get_distinct_ids(draft, now):
    import threading

    made, errors = [], []

    def create():
        try:
            made.append(draft().alert_id)
        except Exception as exc:  # any failure here would be a lost alert
            errors.append(repr(exc))

    threads = [threading.Thread(target=create) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert sorted(made) == ["SW-2026-0001", "SW-2026-0002", "SW-2026-0003"]
