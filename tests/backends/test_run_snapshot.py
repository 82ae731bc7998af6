"""Every query of one page run reads the data version its first query read (supplywatch/run_snapshot.py): a load
committing half-way through a page no longer gives its first figures from one snapshot and its last from the next."""

from __future__ import annotations

import threading

import pytest

from supplywatch import db, run_snapshot, views


@pytest.fixture
def versions(isolated_db, monkeypatch):
    """db.data_version answers lake-1, lake-2, ... : a load commits between every two questions."""
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    db.ensure_warehouse()
    asked = []

    def next_version(path=None):
        asked.append(path)
        return f"lake-{len(asked)}"

    monkeypatch.setattr(db, "data_version", next_version)
    return asked


def test_a_run_reads_one_version_and_the_next_run_the_newest(versions):
    run_snapshot.begin()
    first = [views.data_version() for _ in range(3)]
    run_snapshot.begin()  # the next page run
    second = [views.data_version() for _ in range(2)]
    assert (first, second) == (["lake-1"] * 3, ["lake-2"] * 2)
    assert len(versions) == 2


def test_without_a_run_every_question_reads_the_current_version(versions):
    found = []
    worker = threading.Thread(target=lambda: found.extend(views.data_version() for _ in range(2)))  # e.g. warming
    worker.start()
    worker.join()
    assert found == ["lake-1", "lake-2"]


@pytest.mark.parametrize("version, key", [("lake-42", "data-version-lake-42"),
                                          ("123-1733123-4096", "data-version-123-1733123-4096"),
                                          ("a b/\"<c>", "data-version-a-b---c-")])
def test_the_version_is_named_by_a_container_key_made_of_safe_characters(version, key):
    assert run_snapshot.element_key(version) == key
