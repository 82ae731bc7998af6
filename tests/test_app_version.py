"""The app database's version token: read at most once a second on PostgreSQL, every time from the app file, and
the last token kept (the run marked stale, the database left alone for 15 s) while the database is out of reach."""

from __future__ import annotations

import threading

import pytest

from supplywatch import db
from supplywatch.app_version import AppVersion

PG = "postgresql://sw:secret@127.0.0.1:1/sw"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def reads(monkeypatch):
    """Every db.app_version call, answered from ``answers`` in turn (an exception instance is raised)."""
    calls: list[str] = []
    answers: list = []

    def app_version() -> str:
        answer = answers.pop(0)
        calls.append(answer if isinstance(answer, str) else "down")
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(db, "app_version", app_version)
    return calls, answers


def test_postgres_token_is_read_once_a_second(reads, monkeypatch):
    calls, answers = reads
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", PG)
    clock = Clock()
    version = AppVersion(clock)
    answers += ["pg-1-0", "pg-2-0"]
    assert [version.token() for _ in range(3)] == ["pg-1-0"] * 3
    clock.now += 1.0  # exactly a second: still fresh
    assert version.token() == "pg-1-0" and calls == ["pg-1-0"]
    clock.now += 0.01
    assert version.token() == "pg-2-0" and calls == ["pg-1-0", "pg-2-0"]


def test_app_file_token_is_read_every_time(reads, monkeypatch):
    calls, answers = reads
    monkeypatch.delenv("SUPPLYWATCH_APP_DB", raising=False)
    version = AppVersion(Clock())
    answers += ["file-1", "file-2"]
    assert [version.token(), version.token()] == ["file-1", "file-2"] and calls == ["file-1", "file-2"]


def read_then_away(answers: list, monkeypatch) -> tuple[Clock, AppVersion]:
    """A PostgreSQL app database read once ('pg-3-1'), then out of reach 2 s later."""
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", PG)
    clock = Clock()
    version = AppVersion(clock)
    answers += ["pg-3-1", db.AppStoreUnavailable("refused")]
    assert version.token() == "pg-3-1" and not version.stale()
    clock.now += 2
    assert version.token() == "pg-3-1" and version.stale()  # the last token, this run marked stale
    return clock, version


def test_database_away_keeps_the_last_token_and_waits_15_seconds(reads, monkeypatch):
    calls, answers = reads
    clock, version = read_then_away(answers, monkeypatch)
    assert calls == ["pg-3-1", "down"]
    clock.now += 14.9  # 14.9 s after the failure: not asked again
    assert version.token() == "pg-3-1" and version.stale() and calls == ["pg-3-1", "down"]
    version.last = None  # a server that never read a token has nothing to show: it says so
    with pytest.raises(db.AppStoreUnavailable, match="unreachable a moment ago"):
        version.token()
    assert calls == ["pg-3-1", "down"]
    clock.now += 0.1  # 15 s after the failure: asked again, and back
    answers.append("pg-4-1")
    assert version.token() == "pg-4-1" and not version.stale() and calls == ["pg-3-1", "down", "pg-4-1"]


def test_never_read_and_away_raises(reads, monkeypatch):
    calls, answers = reads
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", PG)
    answers.append(db.AppStoreUnavailable("refused"))
    version = AppVersion(Clock())
    with pytest.raises(db.AppStoreUnavailable, match="refused"):
        version.token()
    assert version.stale() and calls == ["down"]


def test_stale_is_per_thread(reads, monkeypatch):
    """Each Streamlit session runs on its own thread: one reader's stale read does not put a banner on another's."""
    _, version = read_then_away(reads[1], monkeypatch)
    seen = []
    other = threading.Thread(target=lambda: seen.append(version.stale()))
    other.start()
    other.join()
    assert version.stale() and seen == [False]
