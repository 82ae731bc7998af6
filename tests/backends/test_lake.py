"""The warehouse on DuckLake (PostgreSQL catalog, Parquet data path): chosen by a setting, loads are one transaction
under one writer lock, readers follow snapshots, upkeep and migration work, and a down catalog is one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from supplywatch import db, lake, schema
from tests import postgres_cluster
from tests.backends.conftest import LAKE_DATA, ROOT, parquet_files, run_etl

SMALL = ROOT / "tests" / "data" / "etl" / "dcbc_small.csv"


def counts(con) -> tuple[int, int, int]:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("samples", "detections", "load_runs"))


# ---------------------------------------------------------------- 1. selection and schema

def test_the_setting_selects_the_lake_and_its_string_round_trips(lake_env, tmp_path):
    wh = db.warehouse_path()
    assert isinstance(wh, lake.Lake)
    assert str(wh) == lake_env
    assert wh.data_path == str(tmp_path / "lake") + "/"
    assert db.warehouse_path(str(wh)) == wh  # the views pass str(path) around as a cache key
    assert db.warehouse_path(tmp_path / "x.duckdb") == tmp_path / "x.duckdb"  # --db FILE still wins


def test_db_flag_takes_a_lake_too(lake_env, monkeypatch):
    monkeypatch.delenv("SUPPLYWATCH_WAREHOUSE")
    assert db.warehouse_path(lake_env) == lake.parse(lake_env)


@pytest.mark.parametrize("value, message", [
    ("postgres://x", "SUPPLYWATCH_WAREHOUSE must start with 'ducklake:postgres:' (got 'postgres://x'); unset it to"
                     " use the warehouse file"),
    ("ducklake:postgres:  ", "SUPPLYWATCH_WAREHOUSE: nothing after 'ducklake:postgres:' (expected e.g."
                             " 'ducklake:postgres:dbname=sw host=db1')"),
])
def test_bad_setting_is_one_clear_line(monkeypatch, value, message):
    monkeypatch.setenv("SUPPLYWATCH_WAREHOUSE", value)
    monkeypatch.setenv("SUPPLYWATCH_DATA_PATH", "/tmp")
    with pytest.raises(ValueError) as err:
        db.warehouse_path()
    assert str(err.value) == message


def test_missing_data_path_is_named(monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_WAREHOUSE", "ducklake:postgres:dbname=sw")
    monkeypatch.delenv("SUPPLYWATCH_DATA_PATH", raising=False)
    with pytest.raises(ValueError) as err:
        db.warehouse_path()
    assert str(err.value) == ("SUPPLYWATCH_DATA_PATH is not set: the lake's Parquet files need a folder (or s3:// URL)"
                              " every server and worker reaches")


def test_ddl_is_adapted_to_what_ducklake_takes():
    sql = """
    CREATE SEQUENCE ids START 1;
    CREATE TABLE t (
        id   INTEGER PRIMARY KEY DEFAULT nextval('ids'),  -- unique id, default from a sequence
        name VARCHAR UNIQUE,
        ok   BOOLEAN NOT NULL DEFAULT false,
        n    BIGINT DEFAULT 0,
        UNIQUE (name, ok)
    );"""
    assert " ".join(lake.adapt_ddl(sql).split()) == (
        "CREATE TABLE t ( id INTEGER NOT NULL, name VARCHAR, ok BOOLEAN NOT NULL DEFAULT 'false',"
        " n BIGINT DEFAULT 0 );")
    assert lake.sequences(schema.WAREHOUSE_MIGRATIONS) == {"load_run_ids": ("load_runs", "run_id"),
                                                           "sample_nos": ("samples", "sample_no")}


def test_new_lake_has_the_current_schema_and_no_file_is_made(lake_env, tmp_path):
    con = db.connect_readonly()
    assert db.schema_version(con) == len(schema.WAREHOUSE_MIGRATIONS)
    assert counts(con) == (0, 0, 0)
    columns = [r[0] for r in con.execute("DESCRIBE samples").fetchall()]
    assert columns[-5:] == ["sample_no", "found_classes", "found_substances", "found_expected", "found_unexpected"]
    assert not (tmp_path / "never.duckdb").exists()


# ---------------------------------------------------------------- 2. loads

def test_load_gives_the_same_rows_on_the_lake_as_in_a_file(lake_env, tmp_path):
    from etl.load import load_file

    file_db = tmp_path / "file.duckdb"
    on_file = load_file(SMALL, db=str(file_db), wait=True)
    on_lake = load_file(SMALL, wait=True)
    assert (on_lake.status, on_lake.rows_loaded, on_lake.run_id) == ("loaded", 5, 1)
    assert (on_file.rows_loaded, on_file.rows_duplicate) == (on_lake.rows_loaded, on_lake.rows_duplicate)
    # sample_no is a surrogate drawn from a sequence in no guaranteed order: compare by the samples' own ids
    queries = ["SELECT * EXCLUDE (sample_no) FROM samples ORDER BY sample_id",
               "SELECT s.sample_id, d.* EXCLUDE (sample_no) FROM detections d JOIN samples s USING (sample_no)"
               " ORDER BY s.sample_id, d.method, d.substance_raw"]
    for sql in queries:
        f = db.connect_readonly(file_db).execute(sql).fetchall()
        k = db.connect_readonly().execute(sql).fetchall()
        assert k == f and len(k) > 0
    again = load_file(SMALL, wait=True)
    assert again.status == "unchanged"


def test_a_failed_block_leaves_nothing_on_the_lake(lake_env):
    db.ensure_warehouse()
    with pytest.raises(ValueError):
        with db.writing_snapshot() as con:
            con.execute("INSERT INTO alerts (alert_id, source, issued_date, title, load_run_id)"
                        " VALUES ('a1', 't', DATE '2024-01-01', 't', 1)")
            raise ValueError("boom part-way")
    assert db.connect_readonly().execute("SELECT count(*) FROM alerts").fetchone()[0] == 0


KILLED_LOADER = """
import sys, time
import etl.load as L
original = L._insert_samples
def written_then_wait(con, run_id):
    result = original(con, run_id)
    print("rows written, not committed", flush=True)
    time.sleep(120)
    return result
L._insert_samples = written_then_wait
print(L.load_file(sys.argv[1], wait=True).message, flush=True)
"""


def test_load_killed_mid_transaction_leaves_nothing_and_the_next_load_works(lake_env):
    db.ensure_warehouse()
    child = subprocess.Popen([sys.executable, "-c", KILLED_LOADER, str(SMALL)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert child.stdout.readline().strip() == "rows written, not committed"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    assert counts(db.connect_readonly()) == (0, 0, 0)
    done = run_etl("load", "--quiet", "--no-signals", SMALL)  # the lock died with the killed session
    assert done.returncode == 0, done.stderr
    assert counts(db.connect_readonly()) == (5, 12, 1)


def test_two_workers_loading_overlapping_files_at_once_store_each_sample_once(lake_env):
    db.ensure_warehouse()
    a, b = LAKE_DATA / "overlap_a.csv", LAKE_DATA / "overlap_b.csv"
    env = os.environ.copy()
    workers = [subprocess.Popen([sys.executable, "-m", "etl", "load", "--wait", "--quiet", "--no-signals", str(f)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for f in (a, b)]
    outs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outs
    con = db.connect_readonly()
    # a: rows 1-4; b: rows 3-7 (3, 4 again; 7 a second identical sample to 6): 7 samples, each once
    assert con.execute("SELECT count(*), count(DISTINCT sample_id), count(DISTINCT sample_no) FROM samples"
                       ).fetchone() == (7, 7, 7)
    # whichever ran second skipped exactly the two it found stored
    assert sorted(con.execute("SELECT rows_loaded, rows_duplicate FROM load_runs").fetchall()) in (
        [(3, 2), (4, 0)], [(2, 2), (5, 0)])
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM load_runs").fetchone() == (2, 2)
    # detections: FTIR items plus positive strips, 3+1+4+2+3+1+1
    assert con.execute("SELECT count(*) FROM detections").fetchone()[0] == 15


def test_second_writer_without_wait_is_told_who_holds_the_lock(lake_env):
    lk = db.warehouse_path()
    db.ensure_warehouse()
    with lake.writer_lock(lk):
        with pytest.raises(db.AnotherLoadRunning) as err:
            with db.writing_snapshot():
                pass
    assert str(err.value) == f"another load is running (pid {os.getpid()})"


# ---------------------------------------------------------------- 3. reads

def test_reader_follows_a_load_by_another_process_and_pins_its_snapshot(lake_env):
    reader = db.Warehouse()
    before = reader.version()
    old = reader.cursor(before)
    assert before.startswith("lake-")
    done = run_etl("load", "--quiet", "--no-signals", SMALL)
    assert done.returncode == 0, done.stderr
    after = reader.version()
    assert after != before
    assert int(after.split("-")[1]) > int(before.split("-")[1])
    assert counts(reader.cursor()) == (5, 12, 1)
    assert counts(reader.cursor(before)) == (0, 0, 0)  # a cache key's snapshot, read again later: same data
    assert counts(old) == (0, 0, 0)


# ---------------------------------------------------------------- 4. maintain

def test_maintain_merges_small_files_and_data_reads_the_same(lake_env, tmp_path):
    data = tmp_path / "lake"
    header, *rows = (LAKE_DATA / "overlap_b.csv").read_text().splitlines()
    for i, row in enumerate(rows[:4]):  # four loads of one sample each: a small file per table per load
        part = tmp_path / f"part{i}.csv"
        part.write_text(header + "\n" + row + "\n")
        assert run_etl("load", "--quiet", "--no-signals", part).returncode == 0
    con = db.connect_readonly()
    before_rows = con.execute("SELECT * FROM samples ORDER BY sample_no").fetchall()
    before_files = parquet_files(data)
    done = run_etl("maintain", "--older-than-days", "0")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("data files before: ") and lines[1].startswith("data files after merging: ")
    assert int(lines[1].split(": ")[1]) < int(lines[0].split(": ")[1])
    assert parquet_files(data) < before_files
    assert db.connect_readonly().execute("SELECT * FROM samples ORDER BY sample_no").fetchall() == before_rows


@pytest.mark.parametrize("cap, limit, threads", [("300MB", "286.1 MiB", 1), ("600MB", "572.2 MiB", 2)])
def test_maintain_runs_under_the_load_memory_cap(lake_env, monkeypatch, capsys, cap, limit, threads):
    from etl import cli, load_memory

    assert run_etl("load", "--quiet", "--no-signals", SMALL).returncode == 0
    monkeypatch.setenv(load_memory.ENV, cap)
    seen, real = [], load_memory.apply

    def apply(con):  # the real cap, then what the connection maintain works on now holds
        real(con)
        seen.append(con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone())

    monkeypatch.setattr(load_memory, "apply", apply)
    assert cli.main(["maintain", "--older-than-days", "0"]) == 0
    assert seen == [(limit, min(threads, os.cpu_count()))]
    assert capsys.readouterr().out.startswith("data files before: ")


def test_maintain_refuses_a_memory_setting_that_is_not_a_size(lake_env):
    done = run_etl("maintain", env={"SUPPLYWATCH_LOAD_MEMORY": "lots"})
    assert done.returncode == 2
    assert done.stderr == ("error: SUPPLYWATCH_LOAD_MEMORY='lots' is not a memory size; write it like 768MB or 2GB"
                           "\n")


def test_maintain_on_a_file_says_there_is_nothing_to_do(isolated_db):
    from etl.cli import main

    assert db.maintain_warehouse() == [f"nothing to do: the warehouse file {isolated_db} is rewritten whole by"
                                       " every load (no small files, no old snapshots)"]
    assert main(["maintain"]) == 0


# ---------------------------------------------------------------- 5. migration

def test_migrate_copies_a_file_with_equal_counts_and_can_be_rerun(lake_env, tmp_path):
    file_db = tmp_path / "old.duckdb"
    for f in (SMALL, LAKE_DATA / "overlap_a.csv"):
        assert run_etl("load", "--quiet", "--no-signals", "--db", file_db, f,
                       env={"SUPPLYWATCH_WAREHOUSE": ""}).returncode == 0
    first = run_etl("migrate-warehouse", "--from", file_db, "--to", lake_env, "--data-path", tmp_path / "lake")
    assert first.returncode == 0, first.stderr
    table = {line.split()[0]: line.split()[1:] for line in first.stdout.splitlines()[1:-1]}
    assert table["samples"] == ["9", "9"] and table["detections"] == ["22", "22"] and table["load_runs"] == ["2", "2"]
    assert first.stdout.splitlines()[-1] == f"copied {len(table)} tables from {file_db}; row counts equal on both sides"
    second = run_etl("migrate-warehouse", "--from", file_db, "--to", lake_env)
    assert second.returncode == 0 and second.stdout == first.stdout
    con = db.connect_readonly()
    assert counts(con) == (9, 22, 2)
    # loads continue the file's numbering on the lake
    assert run_etl("load", "--quiet", "--no-signals", LAKE_DATA / "overlap_b.csv").returncode == 0
    con = db.connect_readonly()
    assert con.execute("SELECT max(run_id) FROM load_runs").fetchone()[0] == 3
    assert con.execute("SELECT count(*), count(DISTINCT sample_no) FROM samples").fetchone() == (12, 12)


def test_migrate_refuses_to_replace_loads_made_on_the_lake(lake_env, tmp_path):
    file_db = tmp_path / "old.duckdb"
    db.ensure_warehouse(file_db)
    assert run_etl("load", "--quiet", "--no-signals", SMALL).returncode == 0  # on the lake
    done = run_etl("migrate-warehouse", "--from", file_db, "--to", lake_env)
    assert done.returncode == 1
    assert done.stderr == ("error: the lake holds 1 load run(s) the file does not; copying would replace them"
                           " (nothing was changed)\n")
    assert counts(db.connect_readonly()) == (5, 12, 1)


# ---------------------------------------------------------------- 6. PostgreSQL down

@pytest.mark.parametrize("args", [("runs",), ("load", "--quiet", str(SMALL)), ("maintain",)])
def test_cli_with_the_catalog_down_prints_one_line_naming_the_setting(tmp_path, args):
    port = postgres_cluster.free_port()  # nothing listens there
    done = run_etl(*args, env={"SUPPLYWATCH_WAREHOUSE": f"ducklake:postgres:host=127.0.0.1 port={port} dbname=sw",
                               "SUPPLYWATCH_DATA_PATH": str(tmp_path / "lake")})
    assert done.returncode == 1
    assert done.stderr == (f"error: the warehouse catalog (SUPPLYWATCH_WAREHOUSE) at PostgreSQL 127.0.0.1:{port}"
                           " does not answer; start PostgreSQL or fix the setting\n")
    assert "Traceback" not in done.stdout + done.stderr


def test_demo_refuses_a_lake_in_one_line(monkeypatch, tmp_path):
    from etl import demo

    monkeypatch.setenv("SUPPLYWATCH_WAREHOUSE", "ducklake:postgres:dbname=sw")
    monkeypatch.setenv("SUPPLYWATCH_DATA_PATH", str(tmp_path / "lake"))
    with pytest.raises(demo.DemoRefused) as err:
        demo.build_warehouse(None)
    assert str(err.value) == ("the demo builds a warehouse file, not a lake: unset SUPPLYWATCH_WAREHOUSE (or pass"
                              " --db FILE), or load the demo's CSV files into the lake with python -m etl load")


def test_readers_and_loads_carry_on_after_postgresql_restarts(lake_env, pg_cluster):
    assert run_etl("load", "--quiet", "--no-signals", SMALL).returncode == 0
    reader = db.Warehouse()
    version = reader.version()
    assert counts(reader.cursor(version)) == (5, 12, 1)
    pg_cluster.restart()
    assert reader.version() == version
    assert counts(reader.cursor(version)) == (5, 12, 1)  # the pinned connection's catalog session was cut
    assert run_etl("load", "--quiet", "--no-signals", LAKE_DATA / "overlap_a.csv").returncode == 0
    assert counts(reader.cursor()) == (9, 22, 2)
