"""SQL values written as literals: the one quoting helper of the project (ground floor, imports nothing of it).

Values are bound as parameters wherever that is cheap. Where binding Python values (lists above all) would
make DuckDB import pandas, about a second per command, or where SQL is built from fixed vocabularies (class
slugs, methods, strips), the values are written with :func:`sql_literals`; quotes are doubled, so a value is
always one literal, never SQL. ``supplywatch.db.sql_literals`` is this same function.
"""

from __future__ import annotations

import datetime as dt


def sql_text(value: str | None) -> str:
    """A SQL text literal (or NULL)."""
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def sql_literals(values) -> str:
    """Comma-separated SQL literals for one row of a bulk INSERT: None, booleans, numbers, dates, text, lists of text.

    For where DuckDB could bind parameters but binding Python values (lists above all) makes it import pandas,
    about a second per command; one statement of literals also avoids a round trip per row.
    """
    out = []
    for v in values:
        if v is None:
            out.append("NULL")
        elif isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (int, float)):
            out.append(repr(v))
        elif isinstance(v, dt.date):
            out.append(f"DATE {sql_text(v.isoformat())}")
        elif isinstance(v, (list, tuple)):
            out.append("[" + ", ".join(sql_text(x) for x in v) + "]::VARCHAR[]")
        else:
            out.append(sql_text(v))
    return ", ".join(out)
