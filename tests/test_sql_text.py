"""One SQL quoting helper (supplywatch.sql_text): every module that writes a value into SQL text uses it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from supplywatch import classes, db, findings, metrics
from supplywatch.sql_text import sql_literals, sql_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value, sql", [
    ("fentanyl", "'fentanyl'"),
    ("O'Brien's", "'O''Brien''s'"),
    ("x'); DROP TABLE samples; --", "'x''); DROP TABLE samples; --'"),
    (None, "NULL"),
])
def test_text_is_one_literal(value, sql):
    assert sql_text(value) == sql
    assert duckdb.connect().execute(f"SELECT {sql}").fetchone()[0] == value


def test_literals_of_a_row():
    row = [None, True, 3, 2.5, dt.date(2026, 1, 31), ["a'b", "c"], "it's"]
    sql = sql_literals(row)
    assert sql == "NULL, true, 3, 2.5, DATE '2026-01-31', ['a''b', 'c']::VARCHAR[], 'it''s'"
    assert duckdb.connect().execute(f"SELECT {sql}").fetchone() == (None, True, 3, 2.5, dt.date(2026, 1, 31),
                                                                    ["a'b", "c"], "it's")


def test_every_caller_uses_the_same_helper():
    assert db.sql_literals is sql_literals
    assert metrics._lit is sql_text
    assert findings.sql_literals is classes.sql_literals is sql_literals


# Quote-doubling still written by hand in files other work is changing now; each leaves when it is changed.
OWN_QUOTERS_BEING_CHANGED: set[str] = set()


def test_no_other_module_doubles_quotes_by_hand():
    pattern = re.compile(r"""\.replace\(\s*"'"\s*,\s*"''"\s*\)""")
    found = sorted(str(p.relative_to(ROOT)) for pkg in ("supplywatch", "etl", "app_pages", "supplywatch_cli")
                   for p in (ROOT / pkg).rglob("*.py") if pattern.search(p.read_text(encoding="utf-8")))
    assert [f for f in found if f not in OWN_QUOTERS_BEING_CHANGED] == ["supplywatch/sql_text.py"]
