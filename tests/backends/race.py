"""One step of a race, in its own process: like a second app server, it shares nothing with the test but
SUPPLYWATCH_APP_DB (and the public folder). ``python -m tests.backends.race`` reads the step as JSON on stdin, says
'ready', waits for 'go', runs it and prints the outcome as JSON: 'ok <result>' or '<ExceptionType>: <message>'.

Steps: ``["approve" | "retract", alert_id, actor]`` through the alert store, or ``["publish_row", alert_id, version]``,
one raw transaction setting a version to published (what a faulty code path would do, to test the constraint).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)


def run(step: list) -> str:
    from supplywatch import db
    from supplywatch.alerts import store

    kind, *args = step
    try:
        if kind == "approve":
            return "ok " + store.approve(args[0], args[1], NOW).key
        if kind == "retract":
            return "ok " + store.retract(args[0], args[1], "wrong sample", NOW).key
        if kind == "publish_row":
            with db.app_connection() as con:
                con.execute("BEGIN TRANSACTION")
                try:
                    con.execute("UPDATE alert_versions SET status = 'published' WHERE alert_id = ? AND version = ?",
                                args)
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
            return "ok published"
        raise ValueError(f"unknown step {kind!r}")
    except Exception as exc:  # noqa: BLE001 - the test reads the outcome
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def race(steps: list[list], env: dict) -> list[str]:
    """Run each step in its own process, all released at the same moment; their outcomes in order."""
    procs = [subprocess.Popen([sys.executable, "-m", "tests.backends.race"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in steps]
    try:
        for proc, step in zip(procs, steps):
            proc.stdin.write(json.dumps(step) + "\n")
            proc.stdin.flush()
        assert [proc.stdout.readline().strip() for proc in procs] == ["ready"] * len(procs)
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        return [json.loads(proc.communicate(timeout=120)[0]) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def main() -> None:
    step = json.loads(sys.stdin.readline())
    from supplywatch.alerts import store  # noqa: F401  - imported before the start, not during the race

    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    print(json.dumps(run(step)), flush=True)


if __name__ == "__main__":
    main()
