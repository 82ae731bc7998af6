"""App-state connections to PostgreSQL are reused within a process (supplywatch/app_pool.py), and reuse never
carries a transaction over, never outlives a PostgreSQL restart as an error, and keeps at most MAX_IDLE."""

from __future__ import annotations

import contextlib
import os

import pytest

from supplywatch import app_pool, db

pytestmark = pytest.mark.parametrize("app_backend", ["postgres"], indirect=True)
PID = "SELECT pg_backend_pid()"


@pytest.fixture(autouse=True)
def empty_pool():
    app_pool.clear()
    yield
    app_pool.clear()


def pid() -> int:
    with db.app_connection() as con:
        return con.execute(PID).fetchone()[0]


def test_units_of_work_in_a_row_share_one_backend(app_backend):
    assert len({pid() for _ in range(5)}) == 1


def test_a_transaction_left_open_is_not_reused_and_its_writes_are_gone(app_backend):
    with db.app_connection() as con:
        first = con.execute(PID).fetchone()[0]
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO staff_sessions VALUES ('a', 'ticket', 'rae', NULL, TIMESTAMP '2026-11-27 08:00:00',"
                    " TIMESTAMP '2026-11-27 08:00:00', TIMESTAMP '2026-11-27 09:00:00')")
    with db.app_connection() as con:
        assert con.execute(PID).fetchone()[0] != first
        assert con.execute("SELECT count(*) FROM staff_sessions").fetchone() == (0,)


def test_a_unit_that_raises_closes_its_connection(app_backend):
    with pytest.raises(ValueError), db.app_connection() as con:
        first = con.execute(PID).fetchone()[0]
        raise ValueError("boom")
    assert pid() != first


def test_after_postgresql_restarts_the_next_unit_works_on_a_new_backend(app_backend, pg_cluster):
    before = pid()
    pg_cluster.restart()
    assert pid() != before  # no AppStoreUnavailable from the dead kept connection


def test_at_most_max_idle_are_kept(app_backend):
    with contextlib.ExitStack() as stack:
        pids = {stack.enter_context(db.app_connection()).execute(PID).fetchone()[0]
                for _ in range(app_pool.MAX_IDLE + 2)}
    assert len(pids) == app_pool.MAX_IDLE + 2
    assert len(app_pool._idle[os.environ["SUPPLYWATCH_APP_DB"]]) == app_pool.MAX_IDLE
