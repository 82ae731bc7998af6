"""The proof that Supply Watch outgrows one machine (docs/scale-out.md, "The proof"): two app servers on two ports
over one lake and one PostgreSQL, two ETL workers loading four files (two of them sharing samples) at once while
chromium reads both servers, one worker killed with SIGKILL inside its transaction, PostgreSQL stopped and started.

Afterwards: no sample lost, none stored twice (exact ids against the union of the files), every page view read one
snapshot and printed that snapshot's figures, an alert approved with server 1's settings is on server 2's board and
in the public feeds, the killed load left nothing visible, and while PostgreSQL was down the pages kept their last
figures under a plain banner and the CLI said so in one line naming the setting. No traceback anywhere.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from supplywatch import db
from tests.backends.proof_scenario import (REJECTS, STALE_ALERTS, Readers, Worker, make_files, rejected_at,
                                           start_servers, tracebacks)
from tests.browser import stack as browser_stack

ROOT = Path(__file__).resolve().parents[2]
HEADLINE = "Carfentanil found in down sold as fentanyl."


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=os.environ.copy())


def stored(con) -> list[tuple[str, int]]:
    return con.execute("SELECT sample_id, count(*) FROM samples GROUP BY sample_id").fetchall()


@pytest.fixture
def proof_env(pg_cluster, tmp_path, monkeypatch) -> dict:
    """One lake (catalog database + data path), one app database and one public folder, for this process, both
    servers and both workers alike."""
    if not Path(browser_stack.CHROMIUM).exists():
        pytest.skip(f"{browser_stack.CHROMIUM} is missing: `make browser` installs Debian chromium")
    settings = {
        "SUPPLYWATCH_WAREHOUSE": "ducklake:postgres:" + pg_cluster.dsn(pg_cluster.create_database("proof_lake")),
        "SUPPLYWATCH_DATA_PATH": str(tmp_path / "lake"),
        "SUPPLYWATCH_APP_DB": pg_cluster.url(pg_cluster.create_database("proof_app")),
        "SUPPLYWATCH_PUBLIC_DIR": str(tmp_path / "public"),
        "SUPPLYWATCH_DB": str(tmp_path / "never.duckdb"),
        "PYTHONUNBUFFERED": "1",
        # no background warming of every page at each new snapshot: on 2 shared cores it doubled the run's time,
        # and the views read here are the pages' own queries
        "SUPPLYWATCH_WARM_CACHE": "0",
    }
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    for key in ("SUPPLYWATCH_ADMIN_USER", "SUPPLYWATCH_ADMIN_PASSWORD", "SUPPLYWATCH_SUPPRESS_K",
                "SUPPLYWATCH_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    return os.environ.copy()


def test_two_servers_two_workers_a_kill_and_a_postgresql_restart(proof_env, pg_cluster, tmp_path, cheap_hashes,
                                                                   make_text):
    from supplywatch import auth
    from supplywatch.alerts import store

    started = time.monotonic()

    files = make_files(tmp_path / "files", per_file=40, overlap=12)
    f1, f2, f3, f4 = files.paths
    db.ensure_warehouse()
    warehouse = db.Warehouse()
    servers = start_servers(tmp_path, proof_env)
    w1, w2 = Worker("w1", proof_env), Worker("w2", proof_env)
    try:
        with browser_stack.chromium() as browser:
            readers = Readers(servers, browser)
            readers.round("empty")

            # 1. w1 holds file 2's transaction open (rows written, not committed); w2 queues file 1 behind it
            w1.start(f2, hold=True)
            w2.start(f1)
            readers.read_while(lambda: not w1.holding(), "w1 holds file 2")
            assert not {s for s, _ in stored(warehouse.cursor())} & files.ids[1]
            w1.kill()
            killed_left = {s for s, _ in stored(warehouse.cursor())} & files.ids[1]

            # 2. w2 loads file 1 once the lock died with w1; then file 2 again and file 3 (12 samples shared) at once
            readers.read_while(w2.busy, "after the kill")
            w1.start(f2)
            w2.start(f3)
            readers.read_while(lambda: any([w1.busy(), w2.busy()]), "overlapping loads")
            before_down = readers.round("before PostgreSQL stops")

            # 3. an alert approved with server 1's settings (the second staff account's step) reaches server 2
            now = dt.datetime.now(dt.timezone.utc)
            auth.add_user("pat", "poster", "pat-poster-pass-2026", actor="test", now=now)
            auth.add_user("rae", "reviewer", "rae-reviewer-pass-2026", actor="test", now=now)
            alert = store.create_draft(text=make_text(), severity="warning", regions=["Victoria"], actor="pat",
                                       now=now)
            store.submit_for_review(alert.alert_id, "pat", now)
            store.approve(alert.alert_id, "rae", now)
            assert HEADLINE in readers.board_text(1, HEADLINE)
            public = Path(proof_env["SUPPLYWATCH_PUBLIC_DIR"])
            for name in ("feeds/alerts.json", "feeds/alerts.atom"):  # written once, served by every server
                assert HEADLINE.rstrip(".") in (public / name).read_text(encoding="utf-8")
                with urllib.request.urlopen(f"{servers[1].url}/public/{name}", timeout=30) as r:
                    assert HEADLINE.rstrip(".") in r.read().decode("utf-8")

            # 4. PostgreSQL stops: banners, last figures, one-line CLI errors; then it starts again
            pg_cluster.stop()
            try:
                down = readers.round("PostgreSQL down")
                board_down = readers.board_text(1, STALE_ALERTS)
                runs = cli("etl", "runs")
                users = cli("supplywatch", "users", "list")
            finally:
                pg_cluster.start()

            # 5. after the restart w1 loads file 4; both servers follow without a restart of their own
            w1.start(f4)
            readers.read_while(w1.busy, "after PostgreSQL restarted")
            final = readers.round("final")
    finally:
        for w in (w1, w2):
            w.stop()
        for s in servers:
            browser_stack.stop(s)

    print(f"proof: {time.monotonic() - started:.0f} s, {len(readers.views)} page views, phases "
          + ", ".join(f"{p} {t:.0f} s" for p, t in readers.phase_seconds().items()))
    # every load ended well, and the kill left nothing behind
    assert [(name, code) for name, code, _ in w1.finished] == [("site2.csv", 0), ("site4.csv", 0)], w1.finished
    assert [(name, code) for name, code, _ in w2.finished] == [("site1.csv", 0), ("site3.csv", 0)], w2.finished
    assert w1.killed == 1 and killed_left == set()
    con = warehouse.cursor()
    # no sample lost, none doubled: exactly the union of the four files' loadable rows, each once
    rows = stored(con)
    assert {s for s, _ in rows} == files.union and len(rows) == len(files.union) == 4 * 40 - 12 - sum(REJECTS)
    assert {n for _, n in rows} == {1}
    assert con.execute("SELECT file_name, status, rows_rejected FROM load_runs ORDER BY file_name").fetchall() == [
        (f"site{i + 1}.csv", "loaded", n) for i, n in enumerate(REJECTS)]
    # the killed run's number was never committed: four runs numbered 1-4, file 1 first and file 4 last
    assert con.execute("SELECT list(file_name ORDER BY run_id) FROM load_runs").fetchone()[0] in (
        ["site1.csv", "site2.csv", "site3.csv", "site4.csv"], ["site1.csv", "site3.csv", "site2.csv", "site4.csv"])
    assert con.execute("SELECT list(rows_duplicate ORDER BY run_id) FROM load_runs").fetchone()[0] == [0, 0, 12, 0]

    # every page view named one snapshot and printed that snapshot's total; no server went back in time
    views = readers.views
    assert all(len(v.versions) == 1 for v in views), [v for v in views if len(v.versions) != 1]
    for v in views:
        assert v.rejected == rejected_at(warehouse, v.versions[0]), v
    for i in (0, 1):
        seen = [v.versions[0] for v in views if v.server == i]
        assert seen == sorted(seen)
        assert len(set(seen)) >= 3  # each server was read while loads were landing
    assert {v.rejected for v in views} <= {0, 1, 3, 5, 7, 15}  # only sums of whole loads: 2 alone never shows

    # PostgreSQL down: each server kept the figures it last read, under the banner; the board kept the alert
    for before, during in zip(before_down, down):
        assert during.down_banner and not before.down_banner
        assert (during.versions, during.rejected) == (before.versions, before.rejected)
    assert HEADLINE in board_down
    port = pg_cluster.port
    assert (runs.returncode, runs.stdout, runs.stderr) == (1, "", (
        f"error: the warehouse catalog (SUPPLYWATCH_WAREHOUSE) at PostgreSQL 127.0.0.1:{port} does not answer;"
        " start PostgreSQL or fix the setting\n"))
    assert users.returncode == 1 and users.stderr.count("\n") == 1
    assert users.stderr.startswith(f"error: the app database in SUPPLYWATCH_APP_DB (127.0.0.1:{port}) cannot be"
                                   " reached")

    # after the restart both servers show the last load, banner gone; nothing printed a traceback
    assert all(not v.down_banner and v.rejected == sum(REJECTS) for v in final)
    assert final[0].versions == final[1].versions
    assert tracebacks(servers, [w1, w2]) == []
