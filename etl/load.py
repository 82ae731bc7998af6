"""Load one CSV per transaction into the warehouse: read with DuckDB, transform in SQL, reject row by row, dedupe.

A load runs inside ``db.writing_snapshot``: everything (data, the load_runs row, its rejects) appears at once or
not at all. The same bytes loaded again are found by content hash before any copy is made.

This module orchestrates the steps; each lives in a module named for its job (docs/architecture.md, "The
ETL"): staging (read the file into ``raw``, the ``stage`` view), person_scan (person-level data), checks and
the per-kind transforms and inserts (samples, overdoses, alerts_file), fold (the findings folded into each new
sample), rejects, runs (the load_runs record). The names callers imported from here before the split still are.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

import duckdb

from supplywatch import db as sw_db
from supplywatch.db import sql_literals as lits

from . import alerts_file
from . import conflicts
from . import load_memory
from . import overdoses
from . import person_data
from . import person_scan
from . import profiles as P
from . import readers
from . import samples
from .mapping import (  # noqa: F401 (re-exported: callers and tests import these from etl.load)
    SEP, Mapper, list_items_sql, lookup_table, map_patterns, map_values, postcode_outward_sql, q, trimmed,
)
from .overdoses import (  # noqa: F401 (re-exported)
    DEFAULT_MISSING, DEFAULT_SUPPRESSED, MEASURES, OVERDOSE_KEY_LABEL, UNIT_VALUES, UNITS,
)
from .periods import PERIOD_HELP, parse_period, rolling  # noqa: F401 (re-exported)
from .person_scan import person_columns, scan_person_data
from .profiles import Profile, ProfileError
from .readers import CsvFile, FileRefused
from .rejects import (  # noqa: F401 (re-exported)
    DUCKDB_REASONS, RAW_LINE_MAX, REASON_VALUES_HIDDEN, REASON_VALUES_SHORTENED, refuse_conflicts, store_rejects,
)
from .result import LoadResult, skipped_text
from .runs import already_loaded, run_unknown_names
from .samples import (  # noqa: F401 (re-exported)
    FORM_VALUES, SAMPLE_TYPE_VALUES, STRIP_RAW, STRIP_TARGETS, STRIP_VALUES, YESNO_VALUES,
)
from .staging import build_stage, count_skipped, read_raw
from .staging import csv_error as _csv_error  # noqa: F401 (re-exported)
from .substances import install_dictionary_if_changed

# The per-kind steps, looked up here at each load (a test replaces _insert_samples to hold a load mid-write).
_insert_samples = samples.insert


class _Phases:
    """Reports load phases to an optional callback (the CLI draws a progress bar from it)."""

    def __init__(self, callback: Callable[[str], None] | None):
        self.callback = callback

    def __call__(self, text: str) -> None:
        if self.callback:
            self.callback(text)


def load_paths(paths, profile=None, db=None, max_reject_rate: float = 0.01, progress=None,
               wait: bool = False, source: str | None = None, service_start=None) -> list[LoadResult]:
    """Load each file in its own transaction; return one :class:`LoadResult` per file, in order.

    ``profile`` is a built-in name, a mapping-file path, a :class:`Profile`, or None to detect from the header.
    ``service_start`` (a date) overrides the profile's: samples dated before it are rejected.
    ``progress``, when given, is called with each file's name and returns a context manager that yields the
    phase callback for that file (the command line passes :func:`etl.progress.display`); None or False: none.
    Raises ``db.AnotherLoadRunning`` when another load holds the warehouse and ``wait`` is false.
    """
    results = []
    for path in paths:
        if not progress:
            results.append(load_file(path, profile=profile, db=db, max_reject_rate=max_reject_rate, wait=wait,
                                     source=source, service_start=service_start))
            continue
        with progress(Path(path).name) as phase:
            results.append(load_file(path, profile=profile, db=db, max_reject_rate=max_reject_rate,
                                     on_phase=phase, wait=wait, source=source, service_start=service_start))
    return results


def load_file(path, profile=None, db=None, max_reject_rate: float = 0.01,
              on_phase: Callable[[str], None] | None = None, wait: bool = False,
              source: str | None = None, service_start=None) -> LoadResult:
    """Load one file (see :func:`load_paths`)."""
    started = time.monotonic()
    path = Path(path)
    phase = _Phases(on_phase)
    phase("checking the file")
    csvf: CsvFile | None = None
    try:
        prof = profile if isinstance(profile, Profile) else P.resolve(profile)
        # Hash first: the same bytes again are answered without reading them further or copying the warehouse.
        content_hash = readers.file_hash(path)
        result = already_loaded(path, content_hash, prof.name if prof else None, db)
        if result is None:
            csvf = readers.open_csv(path, delimiter=prof.delimiter if prof else None, content_hash=content_hash,
                                    scratch=sw_db.scratch_prefix(db))
            if prof is None:
                prof = P.detect(csvf.header, path.name)
            missing = prof.missing_columns(csvf.header)
            if missing:
                raise ProfileError(f"{path.name}: missing required columns for profile {prof.name}: "
                                   + ", ".join(repr(m) for m in missing)
                                   + " (found: " + ", ".join(repr(h) for h in csvf.header if h) + ")")
            if service_start is not None:
                prof = dataclasses.replace(prof, service_start=service_start)
            result = _load(path, csvf, prof, db, max_reject_rate, phase, wait, source)
    except (FileRefused, ProfileError, load_memory.BadMemorySetting) as exc:
        result = LoadResult(file=path.name, status="refused", message=str(exc))
    except duckdb.OutOfMemoryException:  # the copy is discarded: nothing loaded, and none of DuckDB's text shown
        result = LoadResult(file=path.name, status="refused",
                            message=load_memory.out_of_memory_message(path.name, load_memory.limit()))
    finally:
        if csvf is not None:
            csvf.cleanup()
    result.seconds = time.monotonic() - started
    return result


def _load(path: Path, csvf: CsvFile, prof: Profile, db, max_reject_rate: float, phase: _Phases, wait: bool,
          source: str | None) -> LoadResult:
    dropped = person_columns(csvf, prof)
    used = {c.lower() for c in prof.source_columns()}
    ignored = {c.lower() for c in prof.ignore_columns}
    unused = [h for h in csvf.header if h and h.lower() not in used | ignored and h not in dropped]
    res = LoadResult(file=path.name, status="loaded", message="", profile=prof.name, kind=prof.kind,
                     dropped_columns=dropped, unused_columns=unused)
    with sw_db.writing_snapshot(db, wait=wait) as con:
        # Bound DuckDB's buffer pool (default 80 % of RAM) so a large file spills instead of growing the process.
        load_memory.apply(con)
        phase("updating the substance dictionary")
        sw_db.begin(con)  # the dictionary too: on a lake, one file is one transaction
        if prof.kind == "samples":
            install_dictionary_if_changed(con)
        values = lits([path.name, str(path.resolve()), csvf.content_hash, prof.kind, prof.name, dropped or None])
        # the id first, then the row: a lake has neither column defaults from sequences nor INSERT ... RETURNING
        run_id = con.execute("SELECT nextval('load_run_ids')").fetchone()[0]
        con.execute(
            "INSERT INTO load_runs (run_id, file_name, file_path, content_hash, kind, profile, dropped_columns,"
            f" started_at, status) VALUES ({run_id}, {values}, now()::TIMESTAMP, 'refused')")
        res.run_id = run_id
        phase("reading rows")
        person_named = {i for i, h in enumerate(csvf.header) if h and P.is_person_column(h)}
        n_good, duck_rejects = read_raw(con, csvf, person_scan.hit_sql(csvf, prof, person_named))
        phase("looking for person-level data")
        found = scan_person_data(con, csvf, prof, person_named, res)
        mapper = Mapper(prof, csvf.header)
        phase("checking values")
        src = source or prof.source
        res.skipped_reasons = count_skipped(con, mapper)
        res.rows_skipped = sum(n for _, n in res.skipped_reasons)
        build_stage(con, mapper)
        con.execute("SET preserve_insertion_order = false")  # order is in stage.rec from here on
        transform = {"samples": samples.transform, "overdoses": overdoses.transform,
                     "alerts": alerts_file.transform}[prof.kind]
        transform(con, mapper, src)
        person_data.reject_rows(con)
        con.execute("DROP VIEW stage; DROP VIEW rawv; DROP TABLE raw")  # free memory early: t has all the load needs
        for name, spec in prof.fields.items():
            if spec.lookup is not None:
                con.execute(f"DROP TABLE IF EXISTS {lookup_table(name)}")
        # rows failing a check: (good-row index, column, reason)
        bad = con.execute("SELECT rec, err_col, err FROM t WHERE err IS NOT NULL ORDER BY rec").fetchall()
        res.rows_read = n_good + len(duck_rejects)
        res.rows_rejected = len(duck_rejects) + len(bad)
        store_rejects(con, run_id, csvf, duck_rejects, bad, blank=person_named | found.blank_indexes)
        # skipped rows carry no result: they are not rows that could have been loaded, so not in the rate
        with_result = res.rows_read - res.rows_skipped
        rate = res.rows_rejected / with_result if with_result else 0.0
        # the bad value is shown (a quoted value over 40 characters shortened to 37 and "..."); when the file holds
        # person-level data, no value at all
        personal = bool(dropped or person_named or found.blank_indexes)
        shown = REASON_VALUES_HIDDEN if personal else REASON_VALUES_SHORTENED
        res.top_reasons = [(r, n) for r, n in con.execute(
            f"SELECT {shown} AS r, count(*) AS n FROM rejects"
            f" WHERE run_id = {run_id} GROUP BY r ORDER BY n DESC, r LIMIT 5").fetchall()]
        if rate > max_reject_rate:
            res.status = "refused"
            res.message = (f"{path.name}: refused, {res.rows_rejected} of {res.rows_read} rows rejected"
                           f" ({rate:.1%}), above the {max_reject_rate:.1%} limit (--max-reject-rate); nothing"
                           f" loaded. See: python -m etl rejects {run_id}")
        else:
            phase("writing")
            insert = {"samples": _insert_samples, "overdoses": overdoses.insert, "alerts": alerts_file.insert}
            try:
                res.rows_loaded, res.rows_duplicate = insert[prof.kind](con, run_id)
                res.message = (f"{path.name}: loaded {res.rows_loaded} of {res.rows_read} rows"
                               f" ({res.rows_duplicate} duplicates skipped, {res.rows_rejected} rejected"
                               f"{skipped_text(res)}) as {prof.kind} with profile {prof.name}")
                if found.blanked_cells():
                    res.message += f"; {found.blanked_cells()} cells holding person-level data blanked, not stored"
                if prof.kind == "samples":
                    res.unknown_substances = run_unknown_names(con, run_id)
            except conflicts.ConflictsFound as exc:
                refuse_conflicts(con, res, exc, csvf, mapper, duck_rejects, redact=personal)
        con.execute(
            f"UPDATE load_runs SET finished_at = now()::TIMESTAMP, rows_read = {res.rows_read},"
            f" rows_loaded = {res.rows_loaded}, rows_duplicate = {res.rows_duplicate},"
            f" rows_rejected = {res.rows_rejected}, rows_skipped = {res.rows_skipped},"
            f" rows_conflict = {res.rows_conflict},"
            f" status = {q(res.status)}, message = {q(res.message)}"
            f" WHERE run_id = {run_id}")
        for table in ("t", "rej_errors", "rej_scans"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        sw_db.commit(con)
    return res
