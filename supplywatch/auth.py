"""Local staff accounts: argon2 password hashes, roles, slow-down and lockout, and their audit.

Everything takes an explicit ``now`` (UTC) so tests can freeze the clock. Every
sign-in, failure, lockout, sign-out, refused access and account change appends a
row to ``account_audit``; rows are never updated or deleted. Accounts live in the
app file (:func:`supplywatch.db.app_connection`), never in the repository.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import random
import re
import secrets
import time
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import db, local_time, staff_sessions
from .messages import UserError
from .utc import naive_utc  # noqa: F401  (auth.naive_utc, as the stores call it)

ROLES = ("poster", "reviewer", "admin")  # every staff account; any of them sees exact counts
ALERT_ROLES = ("poster", "reviewer")  # who drafts alerts (the alert pages; the store re-checks it)
REVIEW_ROLES = ("reviewer",)  # who approves another author's alert
ADMIN_ROLES = ("admin",)  # who manages staff accounts
MIN_PASSWORD = 10
# Slow-down after the n-th wrong password in a row (seconds before the next try), then lockout.
SLOWDOWN_SECONDS = {2: 1, 3: 2, 4: 4}
LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)

HASHER = PasswordHasher()  # argon2id with the library's recommended cost
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = HASHER.hash("not-a-real-password-" + secrets.token_hex(8))


class AuthError(UserError):
    """A refused sign-in or account change; ``translated(_, lang)`` gives it in the reader's language.

    A lockout carries its end (``until``, UTC), shown as the clock time in the deployment's zone ('12:15 a.m. PST'
    / '00 h 15 HNP'): the reader sees the time on their own clock, not UTC to convert.
    """

    def __init__(self, template: str, until: dt.datetime | None = None, **params):
        self.until = until
        if until is not None:
            params["time"] = local_time.format_local_time(until, "en")
        super().__init__(template, **params)

    def translated(self, _, lang: str = "en") -> str:
        """The message in ``_``'s language; a lockout's time written as readers of ``lang`` write it."""
        if self.until is None:
            return super().translated(_)
        return _(self.template).format(**{**self.params, "time": local_time.format_local_time(self.until, lang)})


@dataclass(frozen=True)
class User:
    """A staff account as pages and the CLI see it (never the hash)."""

    username: str
    role: str
    disabled: bool
    created_at: dt.datetime
    failed_count: int
    locked_until: dt.datetime | None


def has_role(role: str | None, *allowed: str) -> bool:
    """True when ``role`` is one of ``allowed``; admin may do everything staff can."""
    return role is not None and (role in allowed or role == "admin")


def audit(con, now: dt.datetime, actor: str | None, action: str, username: str | None, detail: str | None = None) -> None:
    """Append one row to the account audit (the only write the table ever gets)."""
    con.execute(
        "INSERT INTO account_audit (logged_at, actor, action, username, detail) VALUES (?, ?, ?, ?, ?)",
        [naive_utc(now), actor, action, username, detail],
    )


def check_username(username: str) -> str:
    """The username in canonical (lower-case) form, or AuthError saying what is allowed."""
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise AuthError(
            f"invalid username {username!r}: use 2-32 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError(f"invalid role {role!r}: choose one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"password too short: at least {MIN_PASSWORD} characters")
    return password


def generate_password() -> str:
    """A random password to print once (about 96 bits)."""
    return secrets.token_urlsafe(12)


def _row_to_user(row) -> User:
    return User(row[0], row[1], bool(row[2]), row[3], int(row[4]), row[5])


_USER_COLS = "username, role, disabled, created_at, failed_count, locked_until"


def get_user(username: str) -> User | None:
    """The account named ``username`` (case-insensitive), or None."""
    with db.app_connection() as con:
        row = con.execute(f"SELECT {_USER_COLS} FROM users WHERE username = ?", [(username or "").lower()]).fetchone()
    return _row_to_user(row) if row else None


def list_users() -> list[User]:
    """Every account, by username."""
    with db.app_connection() as con:
        rows = con.execute(f"SELECT {_USER_COLS} FROM users ORDER BY username").fetchall()
    return [_row_to_user(r) for r in rows]


def count_users() -> int:
    with db.app_connection() as con:
        return con.execute("SELECT count(*) FROM users").fetchone()[0]


def add_user(username: str, role: str, password: str, actor: str, now: dt.datetime) -> User:
    """Create an account; AuthError when the name is taken or a value is invalid."""
    name, role, password = check_username(username), check_role(role), check_password(password)
    hashed = HASHER.hash(password)
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        if con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
            con.execute("ROLLBACK")
            raise AuthError(f"user {name!r} already exists")
        con.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            [name, hashed, role, naive_utc(now)],
        )
        audit(con, now, actor, "user_added", name, f"role={role}")
        con.execute("COMMIT")
    return get_user(name)


def _change(username: str, actor: str, now: dt.datetime, action: str, detail: str, sql: str, params: list) -> User:
    name = (username or "").strip().lower()
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        if not con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
            con.execute("ROLLBACK")
            raise AuthError(f"no such user {username!r}")
        con.execute(sql, [*params, name])
        audit(con, now, actor, action, name, detail)
        if action in ("user_disabled", "password_reset"):  # signed out everywhere, in the same transaction
            staff_sessions.end_all_in(con, name)
        con.execute("COMMIT")
    return get_user(name)


def set_role(username: str, role: str, actor: str, now: dt.datetime) -> User:
    """Change an account's role (audited with the old and new role)."""
    check_role(role)
    old = get_user(username)
    detail = f"{old.role}->{role}" if old else None
    return _change(username, actor, now, "role_changed", detail, "UPDATE users SET role = ? WHERE username = ?", [role])


def set_disabled(username: str, disabled: bool, actor: str, now: dt.datetime) -> User:
    """Disable (or re-enable) an account; a disabled user loses access at their next action."""
    return _change(
        username, actor, now, "user_disabled" if disabled else "user_enabled", None,
        "UPDATE users SET disabled = ? WHERE username = ?", [disabled],
    )


def reset_password(username: str, password: str, actor: str, now: dt.datetime) -> User:
    """Set a new password and clear any lockout."""
    hashed = HASHER.hash(check_password(password))
    return _change(
        username, actor, now, "password_reset", None,
        "UPDATE users SET password_hash = ?, failed_count = 0, next_allowed_at = NULL, locked_until = NULL"
        " WHERE username = ?",
        [hashed],
    )


# How long a sign-in waits out other sessions writing the same account (DuckDB's "Conflict on update") or another
# process holding the app file, before saying it is busy. Nothing is checked or counted while it waits.
RETRY_SECONDS = 20.0
BUSY = "Sign-in is busy right now and nothing was checked: try again in a moment."


def _transaction(work):
    """Run ``work(con)`` in one transaction on the app file and return its result.

    Sign-in steps take turns on an OS lock beside the app file (:func:`_sign_in_turn`), so parallel attempts from
    threads and processes never race each other; a write conflict with another kind of session, or the file held
    by another process, is retried until RETRY_SECONDS (``work`` only reads and writes the database, so running it
    again is safe), then refused in one line.
    """
    deadline = time.monotonic() + RETRY_SECONDS
    pause = 0.005
    while True:
        try:
            with _sign_in_turn(deadline), db.app_connection(retry_seconds=max(0.0, deadline - time.monotonic())) as con:
                con.execute("BEGIN TRANSACTION")
                try:
                    result = work(con)
                    con.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("ROLLBACK")
                    raise
            return result
        except (duckdb.TransactionException, duckdb.IOException, duckdb.BinderException) as exc:
            if not _retryable(exc):
                raise
            if time.monotonic() > deadline:
                raise AuthError(BUSY) from None
        time.sleep(random.uniform(0, pause))
        pause = min(0.2, pause * 2)


@contextlib.contextmanager
def _sign_in_turn(deadline: float):
    """Hold the sign-in lock (an flock on ``<app file>.signin.lock``) until the block ends; AuthError when busy.

    DuckDB lets one process at a time open the app file and, within a process, many threads opening and closing it
    at once stall each other (30 parallel sign-ins held it for over 15 s). One sign-in step at a time, each one short
    transaction, is both faster and simpler to reason about. The kernel drops the lock if the process dies.
    On PostgreSQL there is no file: :func:`_claim` locks the account's row, which every server respects.
    """
    path = db.app_lock_file(".signin.lock")
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise AuthError(BUSY) from None
                time.sleep(random.uniform(0.001, 0.01))
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _retryable(exc: Exception) -> bool:
    """A write conflict, or the file held by another process or being opened by another thread."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.TransactionException) or "lock" in text or "file handle conflict" in text


def _claim(con, name: str, t: dt.datetime, now: dt.datetime):
    """Decide and record one sign-in attempt before any password is checked (one transaction).

    Returns ("unknown", None), ("locked", until), ("slow", seconds) - refusals already audited - or
    ("check", (hash, role, disabled, n)) where the attempt is already counted as the n-th wrong password in a row
    (and the slow-down or lock it would earn already set), so parallel attempts each see the ones before them.
    """
    row = con.execute(  # on PostgreSQL the row stays locked until this attempt is counted: servers take turns
        "SELECT password_hash, role, disabled, failed_count, next_allowed_at, locked_until FROM users"
        " WHERE username = ?" + db.row_lock(con),
        [name],
    ).fetchone()
    if row is None:
        audit(con, now, None, "sign_in_failed", name[:64] or None, "unknown user")
        return "unknown", None
    hashed, role, disabled, failed, next_allowed, locked_until = row
    if locked_until is not None and t < locked_until:
        audit(con, now, None, "sign_in_refused", name, "locked")
        return "locked", locked_until
    if locked_until is not None:  # the lock has run out: start counting afresh
        failed = 0
    if next_allowed is not None and t < next_allowed:
        audit(con, now, None, "sign_in_refused", name, "slow-down")
        return "slow", max(1, int((next_allowed - t).total_seconds() + 0.999))
    failed += 1
    if failed >= LOCK_AFTER:
        con.execute(
            "UPDATE users SET failed_count = ?, next_allowed_at = NULL, locked_until = ? WHERE username = ?",
            [failed, t + LOCK_FOR, name],
        )
    else:
        delay = SLOWDOWN_SECONDS.get(failed)
        con.execute(
            "UPDATE users SET failed_count = ?, next_allowed_at = ?, locked_until = NULL WHERE username = ?",
            [failed, t + dt.timedelta(seconds=delay) if delay else None, name],
        )
    return "check", (hashed, role, bool(disabled), failed)


def authenticate(username: str, password: str, now: dt.datetime) -> User:
    """Check a password; return the user or raise AuthError with the message to show.

    Wrong passwords in a row slow the account down (SLOWDOWN_SECONDS) and the LOCK_AFTER-th locks it for
    LOCK_FOR. Each attempt is counted, and its slow-down or lock set, in one transaction *before* the password is
    checked; a right password then clears the count. So however many attempts arrive at once, from threads or
    processes, at most LOCK_AFTER passwords are ever checked before the lock, and attempts refused for slow-down
    or lockout are not checked at all. Write conflicts and a busy app file are retried (RETRY_SECONDS), then
    refused in one line.
    """
    name = (username or "").strip().lower()
    t = naive_utc(now)
    kind, info = _transaction(lambda con: _claim(con, name, t, now))
    if kind == "unknown":
        _verify(_DUMMY_HASH, password or "")  # the same time as a wrong password for a real account
        raise AuthError("Wrong username or password.")
    if kind == "locked":
        raise AuthError("Too many wrong passwords: this account is locked until {time}.", until=info)
    if kind == "slow":
        raise AuthError("Too many wrong passwords: wait {seconds} seconds and try again.", seconds=info)
    hashed, role, disabled, failed = info
    if not _verify(hashed, password or ""):  # the attempt is already counted: only the audit row is left
        if failed >= LOCK_AFTER:
            _transaction(lambda con: audit(con, now, None, "account_locked", name, f"{failed} wrong passwords"))
            raise AuthError("Too many wrong passwords: this account is locked until {time}.", until=t + LOCK_FOR)
        _transaction(lambda con: audit(con, now, None, "sign_in_failed", name, f"wrong password ({failed} in a row)"))
        raise AuthError("Wrong username or password.")
    rehashed = HASHER.hash(password) if HASHER.check_needs_rehash(hashed) else None

    def right_password(con) -> User:
        con.execute(
            "UPDATE users SET failed_count = 0, next_allowed_at = NULL, locked_until = NULL WHERE username = ?", [name]
        )
        if disabled:
            audit(con, now, None, "sign_in_refused", name, "disabled")
        else:
            if rehashed:
                con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [rehashed, name])
            audit(con, now, name, "sign_in", name, f"role={role}")
        return _row_to_user(con.execute(f"SELECT {_USER_COLS} FROM users WHERE username = ?", [name]).fetchone())

    user = _transaction(right_password)
    if disabled:
        raise AuthError("This account is disabled. Ask an admin.")
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def sign_out(username: str, now: dt.datetime) -> None:
    with db.app_connection() as con:
        audit(con, now, username, "sign_out", username)


def refuse(username: str | None, page: str, needed: tuple[str, ...], now: dt.datetime) -> None:
    """Audit a refused access (anonymous, disabled or wrong role) to a staff page or action."""
    with db.app_connection() as con:
        audit(con, now, username, "access_refused", username, f"{page} needs {'|'.join(needed)}")


def current_user(username: str | None, *roles: str) -> User | None:
    """Re-read ``username`` from the database: the user if enabled and holding one of ``roles`` (any when empty)."""
    if not username:
        return None
    user = get_user(username)
    if user is None or user.disabled:
        return None
    if roles and not has_role(user.role, *roles):
        return None
    return user


def bootstrap_admin(username: str | None, password: str | None, now: dt.datetime) -> User | None:
    """Create the first admin from deployment secrets when no account exists yet; None otherwise."""
    if not username or not password or count_users() > 0:
        return None
    return add_user(username, "admin", password, actor="bootstrap", now=now)


def account_audit(username: str | None = None, limit: int = 500) -> list[dict]:
    """Latest account audit rows (newest first), for one user or all."""
    sql = "SELECT logged_at, actor, action, username, detail FROM account_audit"
    params: list = []
    if username:
        sql += " WHERE username = ?"
        params.append(username.lower())
    sql += " ORDER BY audit_id DESC LIMIT ?"
    with db.app_connection() as con:
        rows = con.execute(sql, [*params, limit]).fetchall()
    return [dict(zip(("at", "actor", "action", "username", "detail"), r)) for r in rows]
