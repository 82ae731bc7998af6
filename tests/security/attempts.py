"""Parallel sign-in attempts for the lockout attack tests, in this process or in a child process.

Each attempt is one ``auth.authenticate`` call on its own thread (each opens its own connection, as the sign-in
page does); ``_verify`` is wrapped to count how many passwords were actually checked against argon2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading

from argon2 import PasswordHasher


def attempt_all(app_db: str, attempts: list[tuple[str, str, dt.datetime]],
                no_slowdown: bool = False) -> tuple[list[str], int]:
    """Run every (username, password, now) at once, one thread each; return (outcomes, passwords checked).

    An outcome is the user's name when signed in, the AuthError's message when refused, and
    'CRASH <type>: <message>' for anything else (what would have reached the sign-in page as a traceback).
    """
    os.environ["SUPPLYWATCH_APP_DB"] = app_db
    from supplywatch import auth

    saved = auth.HASHER, auth.SLOWDOWN_SECONDS, auth._verify  # put back afterwards: this may run in pytest's process
    auth.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    if no_slowdown:
        auth.SLOWDOWN_SECONDS = {}
    checked = []
    real_verify = auth._verify

    def counting_verify(hashed, password):
        checked.append(1)
        return real_verify(hashed, password)

    auth._verify = counting_verify
    try:
        outcomes = _run(attempts, auth)
    finally:
        auth.HASHER, auth.SLOWDOWN_SECONDS, auth._verify = saved
    return outcomes, len(checked)


def _run(attempts, auth) -> list[str]:
    outcomes: list[str] = []
    start = threading.Barrier(len(attempts))

    def one(name, password, now):
        start.wait()
        try:
            outcome = auth.authenticate(name, password, now).username
        except auth.AuthError as exc:
            outcome = str(exc)
        except Exception as exc:  # noqa: BLE001 - the attack test reports it
            outcome = f"CRASH {type(exc).__name__}: {exc}".splitlines()[0]
        outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=a) for a in attempts]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return outcomes


def main() -> None:
    """``python -m tests.security.attempts APP_DB NO_SLOWDOWN``: read the attempts as JSON on stdin, say 'ready',
    wait for 'go', run them, print the outcomes as JSON. A plain subprocess, not multiprocessing: AppTest leaves a
    page as ``__main__``, which multiprocessing's spawn would run again in the child."""
    app_db, no_slowdown = sys.argv[1], sys.argv[2] == "1"
    attempts = [(n, p, dt.datetime.fromisoformat(t)) for n, p, t in json.loads(sys.stdin.readline())]
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    outcomes, checked = attempt_all(app_db, attempts, no_slowdown)
    print(json.dumps({"outcomes": outcomes, "checked": checked}), flush=True)


if __name__ == "__main__":
    main()
