"""Parallel sign-in attempts for the lockout attack tests, runnable in this process or in a spawned one.

Each attempt is one ``auth.authenticate`` call on its own thread (each opens its own connection, as the sign-in
page does); ``_verify`` is wrapped to count how many passwords were actually checked against argon2.
"""

from __future__ import annotations

import datetime as dt
import os
import threading

from argon2 import PasswordHasher


def attempt_all(app_db: str, attempts: list[tuple[str, str, dt.datetime]], no_slowdown: bool = False,
                barrier=None) -> tuple[list[str], int]:
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
        outcomes = _run(attempts, barrier, auth)
    finally:
        auth.HASHER, auth.SLOWDOWN_SECONDS, auth._verify = saved
    return outcomes, len(checked)


def _run(attempts, barrier, auth) -> list[str]:
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
    if barrier is not None:  # line up with the other processes
        barrier.wait()
    [t.start() for t in threads]
    [t.join() for t in threads]
    return outcomes


def in_child(queue, barrier, app_db, attempts, no_slowdown):
    """multiprocessing target: run :func:`attempt_all` and put its result on ``queue``."""
    try:
        queue.put(attempt_all(app_db, attempts, no_slowdown, barrier))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, never hangs it
        queue.put(([f"CRASH {type(exc).__name__}: {exc}"], 0))
