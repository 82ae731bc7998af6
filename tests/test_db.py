"""The warehouse is swapped in whole: readers never see a half-written load, writers never overlap.

Tests taking ``any_warehouse`` run on the warehouse file and again on a lake (tests/conftest.py)."""

import datetime as dt
import os

import duckdb
import pytest

from supplywatch import db, schema


def count_alerts(con) -> int:
    return con.execute("SELECT count(*) FROM alerts").fetchone()[0]


def add_alert(con, alert_id: str) -> None:
    con.execute(
        "INSERT INTO alerts (alert_id, source, issued_date, title, load_run_id) VALUES (?, 'test', DATE '2024-01-01', 't', 1)",
        [alert_id],
    )


def test_new_warehouse_is_created_at_current_schema(any_warehouse):
    con = db.connect_readonly()
    assert db.schema_version(con) == len(schema.WAREHOUSE_MIGRATIONS)
    assert count_alerts(con) == 0


def test_paths_follow_flag_then_environment(isolated_db, tmp_path):
    assert db.warehouse_path() == isolated_db
    assert db.warehouse_path(tmp_path / "x.duckdb") == tmp_path / "x.duckdb"
    assert db.app_db_path().name == "app.duckdb"


def test_app_file_sits_beside_the_warehouse_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("SUPPLYWATCH_APP_DB", raising=False)
    assert db.app_db_path(tmp_path / "w.duckdb") == tmp_path / "w-app.duckdb"


def test_reader_keeps_old_snapshot_until_it_asks_again(any_warehouse):
    warehouse = db.Warehouse()
    old = warehouse.cursor()
    version = db.data_version()
    with db.writing_snapshot() as con:
        add_alert(con, "a1")
        # Mid-load, readers still see the old data.
        assert count_alerts(warehouse.cursor()) == 0
    assert db.data_version() != version
    assert count_alerts(old) == 0  # a cursor handed out before the swap stays consistent
    assert count_alerts(warehouse.cursor()) == 1


def test_failed_load_leaves_warehouse_byte_for_byte(isolated_db):
    db.ensure_warehouse()
    before = isolated_db.read_bytes()
    with pytest.raises(ValueError):
        with db.writing_snapshot() as con:
            add_alert(con, "a1")
            raise ValueError("boom part-way")
    assert isolated_db.read_bytes() == before
    assert [p.name for p in isolated_db.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_second_writer_is_refused_with_holders_pid(any_warehouse):
    with db.writing_snapshot():
        with pytest.raises(db.AnotherLoadRunning, match=rf"another load is running \(pid {os.getpid()}\)"):
            with db.writing_snapshot():
                pass


def test_old_file_is_migrated_in_place(isolated_db):
    con = duckdb.connect(str(isolated_db))
    con.execute(schema.META)
    con.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    con.close()
    db.ensure_warehouse()
    assert db.schema_version(db.connect_readonly()) == len(schema.WAREHOUSE_MIGRATIONS)


def test_newer_file_is_refused(isolated_db):
    con = duckdb.connect(str(isolated_db))
    con.execute(schema.META)
    con.execute("INSERT INTO meta VALUES ('schema_version', '999')")
    con.close()
    with pytest.raises(db.SchemaTooNew, match="999"):
        db.ensure_warehouse()


def test_meta_round_trip(any_warehouse):
    with db.writing_snapshot() as con:
        db.set_meta(con, "synthetic", "true")
    assert db.get_meta(db.connect_readonly(), "synthetic") == "true"
    assert db.get_meta(db.connect_readonly(), "absent") is None


@pytest.mark.parametrize("value, sql, back", [
    (None, "NULL", None),
    (True, "true", True),
    (0, "0", 0),
    (2.5, "2.5", 2.5),
    ("O'Brien; DROP TABLE x --", "'O''Brien; DROP TABLE x --'", "O'Brien; DROP TABLE x --"),
    (dt.date(2026, 2, 28), "DATE '2026-02-28'", dt.date(2026, 2, 28)),
    (["fentanyl", "it's"], "['fentanyl', 'it''s']::VARCHAR[]", ["fentanyl", "it's"]),
    ((), "[]::VARCHAR[]", []),
])
def test_sql_literals_write_each_value_as_duckdb_reads_it_back(value, sql, back):
    assert db.sql_literals([value]) == sql
    assert duckdb.connect().execute(f"SELECT {db.sql_literals([value])}").fetchone()[0] == back


def test_sql_literals_joins_a_row():
    assert db.sql_literals([1, "a", None, False]) == "1, 'a', NULL, false"
