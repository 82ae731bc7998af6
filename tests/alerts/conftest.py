"""Fixtures for the alert and account tests: an isolated app file, staff accounts, a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from supplywatch import auth

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone.utc)
PASSWORD = "correct horse battery"
STAFF = {"pat": "poster", "rae": "reviewer", "rob": "reviewer", "ada": "admin"}


@pytest.fixture
def cheap_hashes(monkeypatch):
    """Argon2 at minimum cost: the same code path, a fraction of the time."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def staff(isolated_db, cheap_hashes):
    """One account per role (plus a second reviewer), all with PASSWORD."""
    for name, role in STAFF.items():
        auth.add_user(name, role, PASSWORD, actor="test", now=NOW)
    return STAFF


@pytest.fixture
def published_calls(monkeypatch):
    """Replace the channel writer with a recorder (the channel tests cover the files themselves)."""
    import supplywatch.channels as channels

    calls = []

    def fake(active, history, public_dir, base_url, now, rebuild=False, help_entries=()):  # publish_all's signature
        calls.append({"active": [a.key for a in active], "history": [a.key for a in history], "now": now,
                      "rebuild": rebuild})
        return {"written": [], "unchanged": []}

    monkeypatch.setattr(channels, "publish_all", fake)
    return calls


def complete_text(headline="Carfentanil found in down sold as fentanyl.",
                  fr="Carfentanil trouvé dans du down vendu comme fentanyl."):
    """Complete EN/FR alert text."""
    return {
        "en": {"headline": headline, "details": "Two samples this week.", "what_to_do": "- Carry naloxone."},
        "fr": {"headline": fr, "details": "Deux échantillons cette semaine.", "what_to_do": "- Ayez de la naloxone."},
    }


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def make_text():
    return complete_text


@pytest.fixture
def draft(staff, now, make_text):
    """A factory for drafts by pat (poster) in Victoria, carfentanil, caution unless told."""
    from supplywatch.alerts import store

    def make(severity="caution", author="pat", regions=("Victoria",), **kw):
        return store.create_draft(text=kw.pop("text", make_text()), severity=severity, substances=("carfentanil",),
                                  regions=regions, evidence=("sample S-1 2026-11-25",), actor=author,
                                  now=kw.pop("at", now), **kw)

    return make
