"""Staging: the file read into the temp table ``raw`` (every cell as text) and the ``stage`` view over it.

``raw`` holds the records DuckDB's reader kept (its rejects are returned for the reject list); ``rawv`` numbers
them (``rec``); ``stage`` names each mapped field's text as written (``b_``) and after its value map (``f_``),
leaving out the rows a ``skip_when`` rule says carry no result. The per-kind transforms read ``stage``.
"""

from __future__ import annotations

import re

import duckdb

from supplywatch.db import sql_literals as lits

from . import person_data, readers
from . import profiles as P
from .mapping import Mapper, lookup_table, map_patterns, map_values, q
from .readers import CsvFile, FileRefused


def read_raw(con: duckdb.DuckDBPyConnection, csvf: CsvFile, person_hit: str = "false") -> tuple[int, list[tuple]]:
    """Read every record as VARCHAR into temp table ``raw`` (rowid = order); return (good rows, DuckDB rejects).

    ``person_hit`` (:func:`etl.person_data.hit_sql`) is computed in the same pass as column ``person_hit``, so
    the person-level scan reads only the rows it flags instead of the whole file a second time."""
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(csvf.header))) + "}"
    try:
        read_csv(con, csvf, cols, person_hit)
    except duckdb.InvalidInputException as exc:  # the parser gave up on the whole file (found by the fuzz too)
        raise csv_error(csvf, exc) from None
    n_good, base = con.execute("SELECT count(*), coalesce(min(rowid), 0) FROM raw").fetchone()
    # temp-table rowids start at a large offset; rec = 0-based order of the rows DuckDB kept
    con.execute(f"CREATE OR REPLACE TEMP VIEW rawv AS SELECT rowid - {base} AS rec, * FROM raw")
    duck = con.execute(
        "SELECT line, arg_min(error_type, column_idx), arg_min(column_name, column_idx),"
        " arg_min(error_message, column_idx) FROM rej_errors GROUP BY line ORDER BY line").fetchall()
    return n_good, duck


def csv_error(csvf: CsvFile, exc: Exception) -> FileRefused:
    """A DuckDB reader error (several hundred characters of parser options) as one line naming the file; nothing
    of DuckDB's text when it quotes person-level data."""
    first = re.split(r"\.\s", str(exc).split(":", 1)[-1].strip() + " ", maxsplit=1)[0].strip()
    if not first or person_data.looks_personal(first):
        first = "no detail"
    line = re.search(r"\bLine:?\s*(\d+)", str(exc))
    where = f"line {line[1]}: " if line else ""
    if "state machine reached an invalid state" in first and (mixed := readers.mixed_line_end(csvf.path)):
        return FileRefused(f"{csvf.path.name}: line {mixed}: this line ends with a different line break (LF or"
                           " CR LF) than the header; save the file again with one kind of line ending")
    return FileRefused(f"{csvf.path.name}: {where}cannot be read as CSV ({first[:120]}); check its quotes and line"
                       " endings, or save it again as CSV UTF-8")


def read_csv(con, csvf: CsvFile, cols: str, person_hit: str) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw AS SELECT *, {person_hit} AS {person_data.HIT} FROM read_csv({q(csvf.read_path)}, columns = {cols},"
        f" header = true, delim = {q(csvf.delimiter)}, quote = '\"', escape = '\"', auto_detect = false,"
        " strict_mode = true, null_padding = false, store_rejects = true, rejects_table = 'rej_errors',"
        " rejects_scan = 'rej_scans', max_line_size = 2097152, parallel = true)"
    )


def field_text(m: Mapper, name: str) -> str:
    """The field's text after its value map: a column of the ``stage`` table."""
    return f"f_{name}" if name in m.profile.fields else "NULL::VARCHAR"


def as_written(m: Mapper, name: str) -> str:
    """The field's text as written (before value maps): a column of the ``stage`` table."""
    return f"b_{name}" if name in m.profile.fields else "NULL::VARCHAR"


def skip_sql(m: Mapper) -> str:
    """SQL true for rows the mapping's ``skip_when`` rules say carry no result."""
    conds = [f"coalesce(lower({m.cell(col)}) IN ({', '.join(q(v) for v in values)}), false)"
             for col, values in m.profile.skip_when]
    return " OR ".join(conds) or "false"


def count_skipped(con, m: Mapper) -> list[tuple[str, int]]:
    """(reason, rows) for the rows ``skip_when`` skips: 'Status = not analysed'. A row two rules match counts once,
    under the first."""
    out, earlier = [], []
    for col, values in m.profile.skip_when:
        cell = f"lower({m.cell(col)})"
        before = " AND ".join(f"NOT coalesce({c}, false)" for c in earlier) or "true"
        cond = f"{cell} IN ({', '.join(q(v) for v in values)})"
        for value, n in con.execute(
                f"SELECT {cell} AS v, count(*) FROM rawv WHERE {cond} AND {before}"
                " GROUP BY v ORDER BY count(*) DESC, v").fetchall():
            out.append((f"{col} = {value}", n))
        earlier.append(cond)
    return out


def build_stage(con, m: Mapper) -> None:
    """Temp view ``stage``: each field's text, as written (b_) and value-mapped (f_), named once for the checks.

    A view, not a table: materialising it cost a full extra pass and copy of the file's text. Rows a
    ``skip_when`` rule matches are left out (counted by :func:`count_skipped`)."""
    for name, spec in m.profile.fields.items():
        if spec.lookup is not None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {lookup_table(name)} (k VARCHAR, v VARCHAR)")
            rows = list(spec.lookup.items())
            for i in range(0, len(rows), 1000):
                con.execute(f"INSERT INTO {lookup_table(name)} VALUES "
                            + ", ".join(f"({lits(r)})" for r in rows[i:i + 1000]))
    cols = []
    for name, spec in m.profile.fields.items():
        base = m.base(spec)
        cols.append(f"{base} AS b_{name}")
        if spec.postcode or spec.lookup is not None:
            cols.append(f"{m.cell(spec.column)} AS r_{name}")  # for the check only; never stored
        if spec.values and P.FIELDS[m.profile.kind].get(name) == "list":
            # lists map each item (list_items_sql); a whole cell mapped to "" still means not tested
            empty = [k for k, v in spec.values.items() if v == ""]
            cols.append(f"CASE WHEN lower(b_{name}) IN ({', '.join(q(k) for k in empty)}) THEN NULL ELSE b_{name} END"
                        f" AS f_{name}" if empty else f"b_{name} AS f_{name}")
            continue
        cols.append(f"{map_patterns(map_values(f'b_{name}', spec.values), spec.patterns)} AS f_{name}")
    for k, group in enumerate(m.profile.flags):
        cols += [f"lower({m.cell(c)}) AS flag{k}_{j}" for j, c in enumerate(group.columns)]
    # f_ columns refer to b_ columns of the same SELECT (DuckDB resolves select-list aliases)
    joins = "".join(f" LEFT JOIN {lookup_table(n)} ON {lookup_table(n)}.k = lower({m.cell(spec.column)})"
                    for n, spec in m.profile.fields.items() if spec.lookup is not None and spec.column)
    con.execute(f"CREATE OR REPLACE TEMP VIEW stage AS SELECT rec, {', '.join(cols)} FROM rawv{joins}"
                f" WHERE NOT ({skip_sql(m)})")
