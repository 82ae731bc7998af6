"""Rejects: every row not loaded, stored with its physical line number, the column and reason, and the raw line
(person-level fields blanked, long lines clipped); DuckDB's own reader rejects named in plain words."""

from __future__ import annotations

import bisect
import re

from supplywatch.db import sql_literals as lits

from . import conflicts
from . import person_data
from . import readers
from .mapping import Mapper
from .readers import CsvFile
from .result import LoadResult

RAW_LINE_MAX = 10_000
REASON_VALUES_HIDDEN = r"regexp_replace(reason, '''[^'']*''', '''...''', 'g')"
REASON_VALUES_SHORTENED = r"regexp_replace(reason, '''([^'']{37})[^'']{4,}''', '''\1...''', 'g')"
DUCKDB_REASONS = {
    "MISSING COLUMNS": "too few columns",
    "TOO MANY COLUMNS": "too many columns",
    "UNQUOTED VALUE": "badly quoted field",
    "INVALID UNICODE": "invalid characters",
    "LINE SIZE OVER MAXIMUM": "line too long",
}


def duck_reason(error_type: str, message: str, expected: int) -> str:
    base = DUCKDB_REASONS.get(str(error_type), str(error_type).lower())
    m = re.search(r"Found:\s*(\d+)", message or "")
    if m and error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        return f"{base}: expected {expected}, found {m[1]}"
    return base


def store_rejects(con, run_id: int, csvf: CsvFile, duck: list[tuple], bad: list[tuple], blank: set[int]) -> None:
    """Insert rejects with physical line numbers and raw lines, person-level fields blanked (etl.person_data)."""
    if not duck and not bad:
        return
    duck_recs = sorted(int(line) - 1 for line, *_ in duck)   # DuckDB's line = header + record number
    blank_free = good_index_to_record(csvf, duck_recs, [g for g, *_ in bad])
    wanted = set(duck_recs) | set(blank_free.values())
    located = readers.record_lines(csvf.read_path, csvf.delimiter, wanted)
    rows = []
    ncols = len([h for h in csvf.header])
    for (line, etype, cname, msg), rec in zip(duck, duck_recs):
        phys, raw = located.get(rec, (int(line), None))
        col = None
        if etype == "MISSING COLUMNS" and cname and re.fullmatch(r"c\d+", cname):
            col = person_data.column_label(csvf.header[int(cname[1:])], int(cname[1:]))
        rows.append((run_id, phys, col,
                     duck_reason(etype, msg, ncols), clip(person_data.blank_line(raw, csvf.delimiter, ncols, blank))))
    for g, col, reason in bad:
        rec = blank_free[g]
        phys, raw = located.get(rec, (None, None))
        rows.append((run_id, phys, col, reason, clip(person_data.blank_line(raw, csvf.delimiter, ncols, blank))))
    for i in range(0, len(rows), 1000):
        con.execute("INSERT INTO rejects VALUES " + ", ".join(f"({lits(r)})" for r in rows[i:i + 1000]))


def clip(raw: str | None) -> str | None:
    if raw is None:
        return None
    return raw if len(raw) <= RAW_LINE_MAX else raw[:RAW_LINE_MAX] + "..."


def good_index_to_record(csvf: CsvFile, duck_recs: list[int], goods: list[int]) -> dict[int, int]:
    """Map 0-based indexes of rows DuckDB kept to 1-based record numbers (blank lines count, as DuckDB counts them)."""
    if not goods:
        return {}
    # Records DuckDB did not return: its rejects and blank lines. Blank lines are found by reading the file.
    skipped = set(duck_recs) | blank_records(csvf, max(goods) + len(duck_recs) + 1)
    skipped_sorted = sorted(skipped)
    out = {}
    for g in sorted(set(goods)):
        rec = g + 1
        # advance past skipped records until rec is the (g+1)-th kept record
        while True:
            k = bisect.bisect_right(skipped_sorted, rec)
            cand = g + 1 + k
            if cand == rec:
                break
            rec = cand
        out[g] = rec
    return out


def blank_records(csvf: CsvFile, upto_kept: int) -> set[int]:
    """1-based record numbers of blank lines, reading until ``upto_kept`` non-blank records have passed."""
    import csv

    blanks: set[int] = set()
    with open(csvf.read_path, "r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=csvf.delimiter)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            return blanks
        rec = kept = 0
        while kept <= upto_kept:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                row = ["?"]
            rec += 1
            if row == []:
                blanks.add(rec)
            else:
                kept += 1
    return blanks


def refuse_conflicts(con, res: LoadResult, exc: conflicts.ConflictsFound, csvf: CsvFile, mapper: Mapper,
                      duck: list[tuple], redact: bool) -> None:
    """Refuse the file for rows whose key another row holds with other values; list each one as a reject."""
    con.execute("DROP VIEW IF EXISTS kt; DROP VIEW IF EXISTS stored_kt")
    goods = {c.rec for c in exc.conflicts} | {c.other_rec for c in exc.conflicts if c.other_rec is not None}
    duck_recs = sorted(int(line) - 1 for line, *_ in duck)
    to_record = good_index_to_record(csvf, duck_recs, sorted(goods))
    located = readers.record_lines(csvf.read_path, csvf.delimiter, set(to_record.values()))
    where = {g: located.get(to_record[g], (None, None)) for g in goods}
    rows = [(res.run_id, line, cols, reason, None if redact else clip(raw))
            for line, cols, reason, raw in conflicts.reject_rows(exc.conflicts, where, mapper)]
    for i in range(0, len(rows), 1000):
        con.execute("INSERT INTO rejects VALUES " + ", ".join(f"({lits(r)})" for r in rows[i:i + 1000]))
    res.status = "refused"
    res.rows_conflict = exc.total
    res.rows_loaded = res.rows_duplicate = 0
    first = conflicts.first_sentence(exc.conflicts[0], where, csvf.header, csvf.delimiter, mapper,
                                     res.dropped_columns, res.unused_columns)
    res.message = (f"{res.file}: refused, {exc.total} rows have the key of another row but other values (a conflict,"
                   f" not a duplicate); nothing loaded. {first} See: python -m etl rejects {res.run_id}")
