"""The scale-out proof (docs/scale-out.md, "The proof"): two app servers and two ETL workers on one lake and one
PostgreSQL, a worker killed with SIGKILL inside its transaction, PostgreSQL stopped and started again while chromium
reads both servers. Plain functions and classes (no pytest), shared by tests/backends/test_proof.py (small files,
one kill) and bench/proof.py (large files, several kills, a result table).

Everything is real: `python -m etl load` processes, `streamlit run app.py` servers, Debian chromium running the page
scripts, a PostgreSQL cluster that is really stopped. The only test aid is ``SUPPLYWATCH_TEST_HOLD_COMMIT``
(supplywatch/lake.py), which makes the worker to be killed wait, rows written and not committed, until it is.

What a reader records of a page view of /data (the Data page): the data version the run read (the class
``st-key-data-version-lake-<id>`` of the banner's container, supplywatch/run_snapshot.py), the number of rejected
rows the page printed, and whether the "not answering" banner was shown. Each of the four files has its own number
of rejected rows (1, 2, 4, 8), so the printed total names exactly which loads a view saw; checked afterwards against
the lake read at that snapshot, it shows the page's figures came from that one snapshot.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from supplywatch import lake
from tests.browser import stack as browser_stack

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
REJECTS = (1, 2, 4, 8)  # rejected rows in files 1-4: every set of committed loads prints its own total
BAD_DATE = "not a date"
LOAD_ARGS = ("load", "--wait", "--quiet", "--no-signals", "--max-reject-rate", "0.5")
DOWN_BANNER = "The shared data store is not answering"
STALE_ALERTS = "The alert list could not be refreshed just now"
_VERSION = re.compile(r"st-key-data-version-lake-(\d+)\b")
_REJECTED = re.compile(r"([\d,\u202f\u00a0]+) rows were rejected in loaded files")


# ---------------------------------------------------------------- settings and the alert

UNSET = ("SUPPLYWATCH_ADMIN_USER", "SUPPLYWATCH_ADMIN_PASSWORD", "SUPPLYWATCH_SUPPRESS_K", "SUPPLYWATCH_BASE_URL")


def settings(cluster, folder: Path) -> dict[str, str]:
    """One lake (a fresh catalog database + a data path), one fresh app database and one public folder: what this
    process, both servers and both workers share (and :data:`UNSET` is removed)."""
    return {
        "SUPPLYWATCH_WAREHOUSE": "ducklake:postgres:" + cluster.dsn(cluster.create_database("proof_lake")),
        "SUPPLYWATCH_DATA_PATH": str(folder / "lake"),
        "SUPPLYWATCH_APP_DB": cluster.url(cluster.create_database("proof_app")),
        "SUPPLYWATCH_PUBLIC_DIR": str(folder / "public"),
        "SUPPLYWATCH_DB": str(folder / "never.duckdb"),
        "PYTHONUNBUFFERED": "1",
    }


def approve_alert(text: dict) -> None:
    """An alert drafted and submitted by a poster, approved by a reviewer (the second staff account), through the
    alert store with this process's settings: what server 1 does when its staff click through."""
    import datetime as dt

    from supplywatch import auth
    from supplywatch.alerts import store

    now = dt.datetime.now(dt.timezone.utc)
    auth.add_user("pat", "poster", "pat-poster-pass-2026", actor="proof", now=now)
    auth.add_user("rae", "reviewer", "rae-reviewer-pass-2026", actor="proof", now=now)
    alert = store.create_draft(text=text, severity="warning", regions=["Victoria"], actor="pat", now=now)
    store.submit_for_review(alert.alert_id, "pat", now)
    store.approve(alert.alert_id, "rae", now)


# ---------------------------------------------------------------- the four files

@dataclass
class Files:
    paths: list[Path]
    ids: list[set[str]]  # per file, the sample ids of its rows that load (rejected rows left out)

    @property
    def union(self) -> set[str]:
        return set().union(*self.ids)


def make_files(folder: Path, per_file: int, overlap: int, seed: int = 7) -> Files:
    """Four demo-layout files of ``per_file`` samples; the last ``overlap`` of file 2 are the first of file 3 (the
    same rows: the same samples). File i has REJECTS[i] rows with an unreadable date, outside the overlap."""
    if per_file < overlap + max(REJECTS) + 1:
        raise ValueError("per_file must exceed overlap + 8")
    folder.mkdir(parents=True, exist_ok=True)
    demo = folder / "demo"
    subprocess.run([PYTHON, "-m", "etl", "demo", "--samples", str(4 * per_file - overlap), "--seed", str(seed),
                    "--out", str(demo), "--no-load"], cwd=ROOT, check=True, capture_output=True, timeout=600)
    with open(demo / "samples.csv", newline="") as f:
        reader = csv.reader(f)
        header, rows = next(reader), list(reader)
    date = header.index("date")
    starts = (0, per_file, 2 * per_file - overlap, 3 * per_file - overlap)
    paths, ids = [], []
    for i, start in enumerate(starts):
        part = [list(r) for r in rows[start:start + per_file]]
        bad = range(len(part) - REJECTS[i], len(part)) if i == 2 else range(REJECTS[i])  # file 3 starts shared
        for j in bad:
            part[j][date] = BAD_DATE
        path = folder / f"site{i + 1}.csv"
        with open(path, "w", newline="") as f:
            csv.writer(f).writerows([header, *part])
        paths.append(path)
        ids.append({"local:" + r[0] for j, r in enumerate(part) if j not in bad})  # stored as source:id
    return Files(paths, ids)


# ---------------------------------------------------------------- workers

class Worker:
    """One ETL worker: runs `python -m etl load --wait ...` for one file at a time, like a systemd load unit."""

    def __init__(self, name: str, env: dict):
        self.name, self.env = name, env
        self.proc: subprocess.Popen | None = None
        self.path: Path | None = None
        self.stderr: list[str] = []
        self.finished: list[tuple[str, int, str]] = []  # (file, exit code, stderr) of every load that ended
        self.seconds: list[float] = []  # how long each finished load took, queueing for the lock included
        self.killed = 0
        self._started = 0.0

    def start(self, path: Path, hold: bool = False) -> "Worker":
        env = dict(self.env)
        if hold:
            env[lake.HOLD_SETTING] = "600"
        self.path, self.stderr, self._started = path, [], time.monotonic()
        self.proc = subprocess.Popen([PYTHON, "-m", "etl", *LOAD_ARGS, str(path)], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        threading.Thread(target=self._drain, args=(self.proc, self.stderr), daemon=True).start()
        return self

    @staticmethod
    def _drain(proc: subprocess.Popen, into: list[str]) -> None:
        for line in proc.stderr:
            into.append(line)

    def holding(self) -> bool:
        return any(lake.HOLDING in line for line in self.stderr)

    def busy(self) -> bool:
        if self.proc is None:
            return False
        if self.proc.poll() is None:
            return True
        time.sleep(0.05)  # the drain thread reads the last lines
        self.finished.append((self.path.name, self.proc.returncode, "".join(self.stderr)))
        self.seconds.append(time.monotonic() - self._started)
        self.proc = None
        return False

    def kill(self) -> None:
        """SIGKILL: no cleanup, no rollback sent; the socket closes with the process."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self.killed += 1
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


# ---------------------------------------------------------------- servers and readers

def start_servers(folder: Path, env: dict, n: int = 2) -> list[browser_stack.Stack]:
    """``n`` `streamlit run app.py` servers on their own loopback ports over the same settings, started at once."""
    servers = [browser_stack.Stack(folder=folder / f"server{i + 1}", env=dict(env)) for i in range(n)]
    errors: list[BaseException] = []

    def start(s: browser_stack.Stack) -> None:
        s.folder.mkdir(parents=True, exist_ok=True)
        try:
            browser_stack.start(s)
        except BaseException as exc:  # noqa: BLE001 - raised below, after the others are stopped
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for s in servers:
            browser_stack.stop(s)
        raise errors[0]
    return servers


@dataclass
class View:
    server: int
    phase: str
    seconds: float
    versions: list[int]  # data versions named on the page: one per run
    rejected: int | None  # the rejected-rows total the page printed
    down_banner: bool


@dataclass
class Readers:
    """One chromium page per server; each view is a fresh session, so the page script runs from the top."""

    servers: list[browser_stack.Stack]
    browser: object
    views: list[View] = field(default_factory=list)
    pages: list = field(default_factory=list)

    def __post_init__(self):
        self.pages = [self.browser.new_page() for _ in self.servers]

    def view_data(self, i: int, phase: str) -> View:
        page, started = self.pages[i], time.monotonic()
        page.goto(self.servers[i].url + "/data", wait_until="domcontentloaded")
        page.locator("[data-testid='stCaptionContainer']", has_text="rows were rejected in loaded files").first \
            .wait_for(state="attached", timeout=180_000)
        html = page.content()
        found = _REJECTED.search(html)
        view = View(server=i, phase=phase, seconds=time.monotonic() - started,
                    versions=[int(v) for v in _VERSION.findall(html)],
                    rejected=int(re.sub(r"\D", "", found.group(1))) if found else None,
                    down_banner=DOWN_BANNER in html)
        self.views.append(view)
        return view

    def phase_seconds(self) -> dict[str, float]:
        """Seconds spent reading in each phase, in order."""
        out: dict[str, float] = {}
        for v in self.views:
            out[v.phase] = out.get(v.phase, 0.0) + v.seconds
        return out

    def round(self, phase: str) -> list[View]:
        return [self.view_data(i, phase) for i in range(len(self.servers))]

    def board_text(self, i: int, *wait_for: str) -> str:
        """The alert board's text on server ``i`` once each of ``wait_for`` shows (Streamlit draws the page in
        pieces: the banner can be there before the cards), or as it is when one never does."""
        page = self.pages[i]
        page.goto(self.servers[i].url + "/alerts", wait_until="domcontentloaded")
        page.get_by_text(wait_for[0]).first.wait_for(timeout=180_000)
        for text in wait_for[1:]:
            with contextlib.suppress(Exception):  # not there: the test's assertion shows the text that was
                page.get_by_text(text).first.wait_for(timeout=30_000)
        return page.inner_text("body")

    def read_while(self, busy, phase: str, timeout: float = 3600) -> None:
        """Read every server in turn while ``busy()`` is true (at least one round)."""
        deadline = time.monotonic() + timeout
        while True:
            self.round(phase)
            if not busy():
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{phase}: still busy after {timeout:.0f} s")


@dataclass
class Outcome:
    """What one run of the scenario saw, for the test's assertions and the bench's table."""

    seconds: float
    readers: Readers
    workers: list[Worker]
    left_by_kills: set[str]  # samples of the killed file visible while it was held and after each kill
    board_after_approval: str  # server 2's board text
    feeds_served: dict[str, str]  # public feed files as server 2 serves them
    before_down: list[View]
    down: list[View]
    board_down: str
    cli_down: dict[str, subprocess.CompletedProcess]
    final: list[View]
    tracebacks: list[str]


def run(folder: Path, env: dict, files: Files, cluster, approve, headline: str, kills: int = 1) -> Outcome:
    """The scenario: two servers, w1 holding file 2 and killed ``kills`` times while w2 waits with file 1, then
    file 2 again (w1) and file 3 (w2, sharing samples with 2) at once, ``approve()`` (an alert approved with server
    1's settings), PostgreSQL stopped (views, board, CLI) and started, then file 4 (w1). Readers never stop."""
    started = time.monotonic()
    f1, f2, f3, f4 = files.paths
    servers = start_servers(folder, env)
    w1, w2 = Worker("w1", env), Worker("w2", env)
    left: set[str] = set()
    try:
        with browser_stack.chromium() as browser:
            readers = Readers(servers, browser)
            readers.round("empty")
            w2_queued = False
            for _ in range(kills):  # w1 holds file 2's transaction open (rows written, not committed)
                w1.start(f2, hold=True)
                if not w2_queued:
                    w2.start(f1)  # queued behind w1's lock (or loads first and w1 waits)
                    w2_queued = True
                readers.read_while(lambda: not w1.holding(), "a worker holds file 2")
                left |= stored_ids(env) & files.ids[1]
                w1.kill()
                left |= stored_ids(env) & files.ids[1]
            readers.read_while(w2.busy, "after the kill")
            w1.start(f2)
            w2.start(f3)
            readers.read_while(lambda: any([w1.busy(), w2.busy()]), "overlapping loads")
            before_down = readers.round("before PostgreSQL stops")
            approve()
            board = readers.board_text(1, headline)
            feeds = {}
            for name in ("feeds/alerts.json", "feeds/alerts.atom"):  # written once, served by every server
                with urllib.request.urlopen(f"{servers[1].url}/public/{name}", timeout=60) as r:
                    feeds[name] = r.read().decode("utf-8")
            cluster.stop()
            try:
                down = readers.round("PostgreSQL down")
                board_down = readers.board_text(1, STALE_ALERTS, headline)
                cli = {"etl runs": _cli(env, "etl", "runs"), "supplywatch users list": _cli(env, "supplywatch", "users",
                                                                                           "list")}
            finally:
                cluster.start()
            w1.start(f4)
            readers.read_while(w1.busy, "after PostgreSQL restarted")
            final = readers.round("final")
    finally:
        for w in (w1, w2):
            w.stop()
        for s in servers:
            browser_stack.stop(s)
    return Outcome(time.monotonic() - started, readers, [w1, w2], left, board, feeds, before_down, down, board_down,
                   cli, final, tracebacks(servers, [w1, w2]))


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def stored_ids(env: dict) -> set[str]:
    """The sample ids the lake shows now (a fresh reader, as a new server would see them)."""
    from supplywatch import db

    return {r[0] for r in db.Warehouse(env["SUPPLYWATCH_WAREHOUSE"]).cursor().execute(
        "SELECT sample_id FROM samples").fetchall()}


def rejected_at(warehouse, version: int) -> int:
    """The rejected-rows total the Data page prints, read from the lake pinned at snapshot ``version``."""
    return warehouse.cursor(f"lake-{version}").execute(
        "SELECT coalesce(sum(rows_rejected) FILTER (WHERE status = 'loaded'), 0) FROM load_runs").fetchone()[0]


def tracebacks(servers: list[browser_stack.Stack], workers: list[Worker]) -> list[str]:
    """Lines of every server log and every finished load's stderr that start a Python traceback."""
    texts = [s.server_output() for s in servers] + [err for w in workers for _, _, err in w.finished]
    return [line for text in texts for line in text.splitlines() if "Traceback" in line]
