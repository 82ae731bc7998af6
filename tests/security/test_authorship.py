"""Attack: get an alert published by one person by rewriting someone else's draft and approving it yourself.

Before the fix ``revise_draft`` let any poster or reviewer rewrite any draft while ``author`` kept naming its
creator, so a reviewer could rewrite a poster's draft, submit it and approve it alone. Now everyone who wrote any
text of a version is one of its authors (stored in ``alert_authors`` in the same transaction as the text), no author
approves it or gives it the second look, and posters revise and submit only drafts they wrote.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import auth, db, schema
from supplywatch.web import session
from supplywatch.alerts import store

H = dt.timedelta(hours=1)
TWO_PERSON = "{who} wrote SW-2026-0001@{v} and cannot approve it: another reviewer must (two-person rule)"


def trail(alert_id):
    return [(r["actor"], r["action"], r["version"]) for r in store.audit_log(alert_id)]


def revise(alert_id, who, now, make_text, headline="Carfentanil found in down and in pills.", severity="caution"):
    return store.revise_draft(alert_id, text=make_text(headline), severity=severity, regions=["Victoria"],
                              evidence=["sample S-1 2026-11-25"], actor=who, now=now)


both_backends = pytest.mark.usefixtures("app_backend")  # the app file, then PostgreSQL


@pytest.fixture
def pia(staff):
    """A second poster."""
    auth.add_user("pia", "poster", "correct horse battery", actor="ada",
                  now=dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc))


@both_backends
def test_reviewer_who_rewrites_a_posters_draft_cannot_approve_it(draft, now, make_text, published_calls):
    a = draft(author="pat")
    revised = revise(a.alert_id, "rae", now, make_text)
    assert (revised.author, revised.authors) == ("pat", ("pat", "rae"))
    store.submit_for_review(a.alert_id, "rae", now)
    with pytest.raises(store.AlertError) as exc:
        store.approve(a.alert_id, "rae", now + H)
    assert str(exc.value) == TWO_PERSON.format(who="rae", v=1)
    assert store.get(a.alert_id).status == "in_review"
    assert published_calls == []
    assert trail(a.alert_id) == [("pat", "created", 1), ("rae", "revised", 1), ("rae", "submitted", 1),
                                 ("rae", "refused", None)]
    assert store.audit_log(a.alert_id)[-1]["detail"] == "approve: " + TWO_PERSON.format(who="rae", v=1)
    p = store.approve(a.alert_id, "rob", now + H)
    assert (p.status, p.approver, p.authors) == ("published", "rob", ("pat", "rae"))


@both_backends
def test_authorship_stays_after_return_to_draft_and_later_revisions(draft, now, make_text, published_calls):
    a = draft(author="pat")
    revise(a.alert_id, "rae", now, make_text, "Carfentanil in down.")
    store.submit_for_review(a.alert_id, "pat", now)
    store.return_to_draft(a.alert_id, "rob", "Name the site.", now)
    revise(a.alert_id, "pat", now, make_text, "Carfentanil in down at the Johnson St site.")  # rae's words are gone
    store.submit_for_review(a.alert_id, "pat", now)
    with pytest.raises(store.AlertError) as exc:
        store.approve(a.alert_id, "rae", now)
    assert str(exc.value) == TWO_PERSON.format(who="rae", v=1)
    assert store.get(a.alert_id).authors == ("pat", "rae")  # rob returned it with a reason but wrote no text
    assert store.approve(a.alert_id, "rob", now).status == "published"


@both_backends
@pytest.mark.parametrize("actor, step, message", [
    ("pia", "revise", "pia did not write SW-2026-0001@1: posters revise only their own drafts"),
    ("pia", "submit", "pia did not write SW-2026-0001@1: posters submit only their own drafts"),
])
def test_poster_cannot_touch_another_posters_draft(draft, pia, now, make_text, actor, step, message):
    a = draft(author="pat")
    with pytest.raises(store.AlertError) as exc:
        if step == "revise":
            revise(a.alert_id, actor, now, make_text, "Nothing to worry about.")
        else:
            store.submit_for_review(a.alert_id, actor, now)
    assert str(exc.value) == message
    kept = store.get(a.alert_id)
    assert (kept.status, kept.text["en"].headline, kept.authors) == (
        "draft", "Carfentanil found in down sold as fentanyl.", ("pat",))
    assert trail(a.alert_id)[-1] == (actor, "refused", None)


@both_backends
def test_poster_revises_own_draft_and_a_correction_belongs_to_who_drafted_it(draft, now, make_text, published_calls):
    a = draft(author="pat")
    assert revise(a.alert_id, "pat", now, make_text).authors == ("pat",)
    store.submit_for_review(a.alert_id, "pat", now)
    store.approve(a.alert_id, "rae", now)
    c = store.correct(a.alert_id, text=make_text("Carfentanil in pills too."), severity="warning",
                      regions=["Victoria"], actor="rae", now=now + H)
    assert (c.version, c.authors) == (2, ("rae",))
    store.submit_for_review(a.alert_id, "rae", now + H)
    with pytest.raises(store.AlertError) as exc:
        store.approve(a.alert_id, "rae", now + H)
    assert str(exc.value) == TWO_PERSON.format(who="rae", v=2)
    assert store.approve(a.alert_id, "rob", now + H).authors == ("rae",)


@both_backends
def test_co_author_cannot_give_the_second_look(draft, now, make_text, monkeypatch, published_calls):
    monkeypatch.setenv("SUPPLYWATCH_SINGLE_PERSON_PUBLISH", "warning")
    a = draft(author="rae", severity="warning")
    revise(a.alert_id, "rob", now, make_text, "Carfentanil in down: use with someone.", severity="warning")
    store.submit_for_review(a.alert_id, "rae", now)
    p = store.approve(a.alert_id, "rae", now)  # urgent warning, deployment allows it: flagged
    assert (p.status, p.flagged_for_review) == ("published", True)
    with pytest.raises(store.AlertError) as exc:
        store.second_look(a.alert_id, "rob", now + H)
    assert str(exc.value) == "rob wrote SW-2026-0001@1; the second look must come from someone who did not"
    assert store.second_look(a.alert_id, "ada", now + H).flagged_for_review is False


def test_upgrade_counts_revisions_made_before_it(isolated_db, cheap_hashes, now, make_text, published_calls):
    """A file from before authorship was stored: a reviewer's earlier revision still makes them an author."""
    for name, role in (("pat", "poster"), ("rae", "reviewer"), ("rob", "reviewer")):
        auth.add_user(name, role, "correct horse battery", actor="test", now=now)
    a = store.create_draft(text=make_text(), severity="caution", regions=["Victoria"], actor="pat", now=now)
    revise(a.alert_id, "rae", now, make_text)
    store.submit_for_review(a.alert_id, "rae", now)
    first = next(i for i, sql in enumerate(schema.APP_MIGRATIONS) if "CREATE TABLE alert_authors" in sql)
    con = duckdb.connect(str(db.app_db_path()))  # back to the schema before authorship, rows kept
    for later in schema.APP_MIGRATIONS[first:]:  # authorship and whatever came after it
        for kind, name in re.findall(r"CREATE (TABLE|SEQUENCE) (\w+)", later):
            con.execute(f"DROP {kind} IF EXISTS {name}")
    con.execute(f"UPDATE meta SET value = '{first}' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(store.AlertError, match="^rae wrote SW-2026-0001@1 and cannot approve it"):
        store.approve(a.alert_id, "rae", now)
    assert store.get(a.alert_id).authors == ("pat", "rae")


# ---------------------------------------------------------------- the staff page

@pytest.fixture
def clock(monkeypatch, now):
    monkeypatch.setattr(session, "now", lambda: now)


def staff_page(user, lang="en"):
    at = AppTest.from_file("../../app_pages/staff_alerts.py", default_timeout=60)
    at.session_state["sw_user"] = {"username": user, "role": auth.get_user(user).role}
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def labels(at):
    return [b.label for b in at.button]


@pytest.mark.parametrize("lang, approve, note", [
    ("en", "Approve and publish", "You wrote this version: another reviewer must approve it (two-person rule)."),
    ("fr", "Approuver et publier",
     "Vous avez rédigé cette version : une autre personne de la révision doit l'approuver "
     "(règle des deux personnes)."),
])
def test_page_offers_approve_only_to_reviewers_who_wrote_nothing(draft, now, make_text, clock, lang, approve, note):
    a = draft(author="pat")
    revise(a.alert_id, "rae", now, make_text)
    store.submit_for_review(a.alert_id, "pat", now)
    rae = staff_page("rae", lang)
    assert approve not in labels(rae)
    assert note in [c.value for c in rae.caption]
    assert approve in labels(staff_page("rob", lang))


def test_page_offers_an_author_only_the_flagged_single_person_publish(draft, now, clock, monkeypatch, published_calls):
    monkeypatch.setenv("SUPPLYWATCH_SINGLE_PERSON_PUBLISH", "warning")
    a = draft(author="rae", severity="warning")
    store.submit_for_review(a.alert_id, "rae", now)
    at = staff_page("rae")
    assert "Approve and publish" not in labels(at)
    [b for b in at.button if b.label == "Publish alone (flagged for a second look)"][0].click()
    at.run()
    assert not at.exception
    p = store.get(a.alert_id)
    assert (p.status, p.flagged_for_review, p.approver) == ("published", True, "rae")


def test_page_does_not_offer_a_poster_someone_elses_draft(draft, pia, clock):
    draft(author="pat")
    pia_page = staff_page("pia")
    assert "Submit for review" not in labels(pia_page)
    assert not [e for e in pia_page.expander if e.label == "Revise draft"]
    assert "Written by pat · Regions: Victoria" in [t.value for t in pia_page.text]
    pat_page = staff_page("pat")
    assert "Submit for review" in labels(pat_page)
    assert [e for e in pat_page.expander if e.label == "Revise draft"]
    warned = "Saving a revision makes you an author of this version: you will not be able to approve it."
    assert warned not in [c.value for c in pat_page.caption]
    assert warned in [c.value for c in staff_page("rae").caption]  # a reviewer may revise, and is told the cost
