"""The app state (accounts, sessions, alerts, audit, suggestions, subscriptions) in PostgreSQL, through psycopg 3.

:func:`supplywatch.db.app_connection` hands callers this module's :class:`Connection` when ``SUPPLYWATCH_APP_DB``
is a ``postgresql://`` URL, and a DuckDB connection otherwise; callers cannot tell them apart. It keeps the DuckDB
calling convention they were written for:

* ``execute(sql, params)`` with ``?`` placeholders (turned into psycopg's ``%s`` outside quotes and comments, and
  every ``%`` doubled), returning a result with ``fetchone`` / ``fetchall`` / ``description``. A statement that
  returns no rows (INSERT, UPDATE, DELETE without RETURNING) reads back as one row holding the number of rows it
  touched, as DuckDB's does.
* ``BEGIN TRANSACTION`` / ``COMMIT`` / ``ROLLBACK`` as statements: the connection is in autocommit mode, so a
  statement outside BEGIN commits at once, as in DuckDB.
* Every transaction is SERIALIZABLE: PostgreSQL then refuses any interleaving of concurrent transactions that no
  one-at-a-time order could produce, with a serialization failure. That failure (and a deadlock) is raised as
  ``duckdb.TransactionException``, the same class DuckDB raises for "Conflict on update", so the retries and the
  "changed by someone else at the same moment" refusals callers already have work unchanged. A unique or other
  constraint violation is raised as ``duckdb.ConstraintException``, a missing table as
  ``duckdb.CatalogException``, anything else as ``duckdb.Error`` (the message is PostgreSQL's first line).
* A server that cannot be reached (down, restarting, wrong host) raises :class:`AppStoreUnavailable`, whose one-line
  message names ``SUPPLYWATCH_APP_DB`` and host:port but never the password.
"""

from __future__ import annotations

import duckdb

# psycopg is imported where first needed: a deployment on the app file never pays its import (~0.15 s per process).

SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_SECONDS = 5


class AppStoreUnavailable(RuntimeError):
    """The PostgreSQL app database cannot be reached; the message is one line for operators and logs."""


def is_url(value: str | None) -> bool:
    return bool(value) and value.strip().lower().startswith(SCHEMES)


def where(url: str) -> str:
    """host:port of ``url`` for messages (never the user or password)."""
    import psycopg

    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "an unreadable address"
    return f"{info.get('host') or 'localhost'}:{info.get('port') or 5432}"


def unavailable(url: str, exc: BaseException | None = None) -> AppStoreUnavailable:
    # libpq's first line ends with the cause ('... port 5432 failed: Connection refused'); the hint lines after it
    # are generic
    first = (str(exc).strip().splitlines() or [""])[0] if exc is not None else ""
    reason = first.rpartition(" failed: ")[2].removeprefix("FATAL:").strip()
    return AppStoreUnavailable(
        f"the app database in SUPPLYWATCH_APP_DB ({where(url)}) cannot be reached" + (f": {reason}" if reason else "")
    )


def connect(url: str) -> "Connection":
    """A new autocommit connection whose transactions are SERIALIZABLE; AppStoreUnavailable when unreachable."""
    import psycopg

    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                              # TimeZone=UTC: an aware datetime stored into a TIMESTAMP column becomes UTC, as in
                              # DuckDB, whatever the server's own zone
                              options="-c default_transaction_isolation=serializable -c TimeZone=UTC",
                              application_name="supplywatch")
    except psycopg.OperationalError as exc:
        raise unavailable(url, exc) from None
    return Connection(raw, url)


def placeholders(sql: str) -> str:
    """DuckDB's ``?`` placeholders as psycopg's ``%s`` (outside quotes and comments), and ``%`` as ``%%``."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):  # a quoted literal or identifier, doubled quotes inside
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1].replace("%", "%%"))
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _translated(exc: "psycopg.Error", url: str) -> Exception:
    """The DuckDB exception class callers already handle for ``exc`` (see the module docstring)."""
    import psycopg
    from psycopg import errors as pg_errors

    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, (pg_errors.SerializationFailure, pg_errors.DeadlockDetected, pg_errors.LockNotAvailable)):
        return duckdb.TransactionException(f"TransactionContext Error: {text}")
    if isinstance(exc, psycopg.IntegrityError):
        return duckdb.ConstraintException(f"Constraint Error: {text}")
    if isinstance(exc, (pg_errors.UndefinedTable, pg_errors.UndefinedColumn)):
        return duckdb.CatalogException(f"Catalog Error: {text}")
    if isinstance(exc, psycopg.OperationalError):  # the server went away (restart, network)
        return unavailable(url, exc)
    return duckdb.Error(text)


class Result:
    """What ``execute`` returns: the rows of a query, or for a statement without rows its row count (as DuckDB)."""

    def __init__(self, cur: "psycopg.Cursor"):
        self._cur = cur

    @property
    def description(self):
        return self._cur.description

    def fetchone(self):
        if self._cur.description is None:
            return (self._cur.rowcount,)
        return self._cur.fetchone()

    def fetchall(self):
        if self._cur.description is None:
            return [(self._cur.rowcount,)]
        return self._cur.fetchall()


class Connection:
    """A PostgreSQL connection with the DuckDB calling convention the app's stores use."""

    dialect = "postgres"

    def __init__(self, raw: "psycopg.Connection", url: str):
        self._raw = raw
        self._url = url

    def execute(self, sql: str, params=None) -> Result:
        import psycopg

        try:
            if params is None:  # may hold several statements (migrations); no placeholders to translate
                cur = self._raw.execute(sql)
            else:
                cur = self._raw.execute(placeholders(sql), list(params))
        except psycopg.Error as exc:
            raise _translated(exc, self._url) from None
        return Result(cur)

    def executemany(self, sql: str, rows) -> None:
        import psycopg

        try:
            with self._raw.cursor() as cur:
                cur.executemany(placeholders(sql), [list(r) for r in rows])
        except psycopg.Error as exc:
            raise _translated(exc, self._url) from None

    def close(self) -> None:
        self._raw.close()

    def idle(self) -> bool:
        """Open and outside any transaction: safe to hand to the next unit of work (supplywatch/app_pool.py)."""
        from psycopg.pq import TransactionStatus

        return not self._raw.closed and self._raw.info.transaction_status == TransactionStatus.IDLE
