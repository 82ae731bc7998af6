"""The proof that Supply Watch outgrows one machine (docs/scale-out.md, "The proof"): two app servers on two ports
over one lake and one PostgreSQL, two ETL workers loading four files (two of them sharing samples) at once while
chromium reads both servers, one worker killed with SIGKILL inside its transaction, PostgreSQL stopped and started.

Afterwards: no sample lost, none stored twice (exact ids against the union of the files), every page view read one
snapshot and printed that snapshot's figures, an alert approved with server 1's settings is on server 2's board and
in the public feeds, the killed load left nothing visible, and while PostgreSQL was down the pages kept their last
figures under a plain banner and the CLI said so in one line naming the setting. No traceback anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from supplywatch import db
from tests.backends import proof_scenario
from tests.backends.proof_scenario import REJECTS, make_files, rejected_at
from tests.browser import stack as browser_stack

HEADLINE = "Carfentanil found in down sold as fentanyl."


@pytest.fixture
def proof_env(pg_cluster, tmp_path, monkeypatch) -> dict:
    """One lake (catalog database + data path), one app database and one public folder, for this process, both
    servers and both workers alike."""
    if not Path(browser_stack.CHROMIUM).exists():
        pytest.skip(f"{browser_stack.CHROMIUM} is missing: `make browser` installs Debian chromium")
    values = proof_scenario.settings(pg_cluster, tmp_path)
    # no background warming of every page at each new snapshot: on 2 shared cores it doubled the run's time, and the
    # views read here are the pages' own queries
    values["SUPPLYWATCH_WARM_CACHE"] = "0"
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    for key in proof_scenario.UNSET:
        monkeypatch.delenv(key, raising=False)
    return os.environ.copy()


def test_two_servers_two_workers_a_kill_and_a_postgresql_restart(proof_env, pg_cluster, tmp_path, cheap_hashes,
                                                                   make_text):
    files = make_files(tmp_path / "files", per_file=40, overlap=12)
    db.ensure_warehouse()

    out = proof_scenario.run(tmp_path, proof_env, files, pg_cluster,
                             lambda: proof_scenario.approve_alert(make_text()), HEADLINE)
    w1, w2 = out.workers
    print(f"proof: {out.seconds:.0f} s, {len(out.readers.views)} page views, reading "
          + ", ".join(f"{p} {t:.0f} s" for p, t in out.readers.phase_seconds().items()))

    # every load ended well, and the killed one left nothing visible, while held or after
    assert [(name, code) for name, code, _ in w1.finished] == [("site2.csv", 0), ("site4.csv", 0)], w1.finished
    assert [(name, code) for name, code, _ in w2.finished] == [("site1.csv", 0), ("site3.csv", 0)], w2.finished
    assert w1.killed == 1 and out.left_by_kills == set()
    con = db.Warehouse().cursor()
    # no sample lost, none doubled: exactly the union of the four files' loadable rows, each once
    rows = con.execute("SELECT sample_id, count(*) FROM samples GROUP BY sample_id").fetchall()
    assert {s for s, _ in rows} == files.union and len(rows) == len(files.union) == 4 * 40 - 12 - sum(REJECTS)
    assert {n for _, n in rows} == {1}
    assert con.execute("SELECT file_name, status, rows_rejected FROM load_runs ORDER BY file_name").fetchall() == [
        (f"site{i + 1}.csv", "loaded", n) for i, n in enumerate(REJECTS)]
    # the killed run's number was never committed: four runs numbered 1-4, file 1 first and file 4 last
    assert con.execute("SELECT list(file_name ORDER BY run_id) FROM load_runs").fetchone()[0] in (
        ["site1.csv", "site2.csv", "site3.csv", "site4.csv"], ["site1.csv", "site3.csv", "site2.csv", "site4.csv"])
    assert con.execute("SELECT list(run_id ORDER BY run_id) FROM load_runs").fetchone()[0] == [1, 2, 3, 4]
    assert con.execute("SELECT list(rows_duplicate ORDER BY run_id) FROM load_runs").fetchone()[0] == [0, 0, 12, 0]

    # every page view named one snapshot and printed that snapshot's total; no server went back in time
    views = out.readers.views
    assert all(len(v.versions) == 1 for v in views), [v for v in views if len(v.versions) != 1]
    reader = db.Warehouse()
    for v in views:
        assert v.rejected == rejected_at(reader, v.versions[0]), v
    for i in (0, 1):
        seen = [v.versions[0] for v in views if v.server == i]
        assert seen == sorted(seen)
        assert len(set(seen)) >= 3  # each server was read while loads were landing
    assert {v.rejected for v in views} <= {0, 1, 3, 5, 7, 15}  # sums of whole loads only: file 2's 2 never alone

    # the alert approved with server 1's settings: on server 2's board and in the feeds server 2 serves
    assert HEADLINE in out.board_after_approval
    assert all(HEADLINE.rstrip(".") in text for text in out.feeds_served.values()) and len(out.feeds_served) == 2

    # PostgreSQL down: each server kept the figures it last read, under the banner; the board kept the alert
    for before, during in zip(out.before_down, out.down):
        assert during.down_banner and not before.down_banner
        assert (during.versions, during.rejected) == (before.versions, before.rejected)
    assert HEADLINE in out.board_down
    runs, users = out.cli_down["etl runs"], out.cli_down["supplywatch users list"]
    port = pg_cluster.port
    assert (runs.returncode, runs.stdout, runs.stderr) == (1, "", (
        f"error: the warehouse catalog (SUPPLYWATCH_WAREHOUSE) at PostgreSQL 127.0.0.1:{port} does not answer;"
        " start PostgreSQL or fix the setting\n"))
    assert users.returncode == 1 and users.stderr.count("\n") == 1
    assert users.stderr.startswith(f"error: the app database in SUPPLYWATCH_APP_DB (127.0.0.1:{port}) cannot be"
                                   " reached")

    # after the restart both servers show the last load, banner gone; nothing printed a traceback
    assert all(not v.down_banner and v.rejected == sum(REJECTS) for v in out.final)
    assert out.final[0].versions == out.final[1].versions
    assert out.tracebacks == []
