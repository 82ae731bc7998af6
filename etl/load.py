"""Load one CSV per transaction into the warehouse: read with DuckDB, transform in SQL, reject row by row, dedupe.

A load runs inside ``db.writing_snapshot``: everything (data, the load_runs row, its rejects) appears at once or
not at all. The same bytes loaded again are found by content hash before any copy is made.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from supplywatch import db as sw_db
from supplywatch.db import sql_literals as lits
from supplywatch import findings
from supplywatch import first_seen
from supplywatch import weblinks
from supplywatch.schema import DETECTION_SAMPLE_COLUMNS

from . import conflicts
from . import load_memory
from . import plausibility
from . import person_data
from . import profiles as P
from . import readers
from . import substances
from .periods import PERIOD_HELP, parse_period, rolling
from .profiles import FieldSpec, Profile, ProfileError
from .readers import CsvFile, FileRefused

RAW_LINE_MAX = 10_000
SEP = "\x1f"  # between key parts before hashing

STRIP_VALUES = {
    "positive": "positive", "pos": "positive", "+": "positive",
    "negative": "negative", "neg": "negative", "-": "negative",
    "invalid": "invalid", "inconclusive": "invalid",
    "not tested": "", "n/a": "", "na": "", "empty": "",
}
YESNO_VALUES = {"yes": "yes", "y": "yes", "true": "yes", "1": "yes", "no": "no", "n": "no", "false": "no", "0": "no"}
SAMPLE_TYPE_VALUES = {"drug": "drug", "residue": "residue", "used equipment": "residue", "equipment": "residue",
                      "paraphernalia": "residue"}
FORM_VALUES = {"powder": "powder", "pill": "pill", "tablet": "pill", "capsule": "pill", "crystal": "crystal",
               "rock": "crystal", "liquid": "liquid", "paper": "paper", "blotter": "paper", "tab": "paper",
               "other": "other"}
MEASURES = ("deaths", "hospitalizations", "ed_visits", "ems", "non_fatal", "other")
UNIT_VALUES = {"count": "count", "number": "count", "n": "count", "rate": "rate", "percent": "percent", "%": "percent",
               "age-adjusted rate": "age_adjusted_rate", "age adjusted rate": "age_adjusted_rate"}
UNITS = ["count", "rate", "age_adjusted_rate", "percent"]  # an age-adjusted rate is never mixed with a crude one
DEFAULT_SUPPRESSED = ["suppr.", "suppr", "suppressed"]
DEFAULT_MISSING = ["", "na", "n/a", "..", "-", "null", "none"]
PYLIST_ITEM = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""

# strip column -> (substance recorded, class) for a positive result
STRIP_TARGETS = {
    "fentanyl_strip": ("fentanyl", "fentanyl"),
    "benzo_strip": (None, "benzodiazepine"),
    "xylazine_strip": ("xylazine", "alpha2_sedative"),
    "nitazene_strip": (None, "nitazene"),
    "medetomidine_strip": ("medetomidine", "alpha2_sedative"),
}
STRIP_RAW = {"fentanyl_strip": "fentanyl", "benzo_strip": "benzodiazepines", "xylazine_strip": "xylazine",
             "nitazene_strip": "nitazenes", "medetomidine_strip": "medetomidine"}

REASON_VALUES_HIDDEN = r"regexp_replace(reason, '''[^'']*''', '''...''', 'g')"
REASON_VALUES_SHORTENED = r"regexp_replace(reason, '''([^'']{37})[^'']{4,}''', '''\1...''', 'g')"

DUCKDB_REASONS = {
    "MISSING COLUMNS": "too few columns",
    "TOO MANY COLUMNS": "too many columns",
    "UNQUOTED VALUE": "badly quoted field",
    "INVALID UNICODE": "invalid characters",
    "LINE SIZE OVER MAXIMUM": "line too long",
}


@dataclass
class LoadResult:
    """What happened to one file."""

    file: str
    status: str                       # loaded | unchanged | refused
    message: str                      # one line for the user
    run_id: int | None = None
    profile: str | None = None
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0             # rows the mapping's skip_when says carry no result
    skipped_reasons: list[tuple[str, int]] = field(default_factory=list)
    rows_conflict: int = 0            # rows whose key another row holds with other values (the file is refused)
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    unknown_substances: list[tuple[str, int]] = field(default_factory=list)
    person_found: person_data.Found = field(default_factory=person_data.Found)  # by content: columns, counts, kinds
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "unchanged")


def q(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(text: str) -> str:
    """A SQL identifier."""
    return '"' + str(text).replace('"', '""') + '"'


# ---------------------------------------------------------------- field expressions

class Mapper:
    """Turns a profile's field specs into SQL over the raw table's c0..cN columns."""

    def __init__(self, profile: Profile, header: list[str]):
        self.profile = profile
        self.header = header
        self.index = {h.strip().lower(): i for i, h in enumerate(header)}

    def col(self, name: str) -> str | None:
        i = self.index.get(name.strip().lower())
        return None if i is None else f"c{i}"

    def cell(self, name: str) -> str:
        c = self.col(name)
        return "NULL::VARCHAR" if c is None else trimmed(c)

    def base(self, spec: FieldSpec) -> str:
        """The field's text as written (trimmed, empty = NULL), before value maps; for a coarsened field
        (``postcode``, ``lookup``) only the coarse part, so the finer code never reaches a stored column."""
        if spec.postcode and spec.column:
            return postcode_outward_sql(self.cell(spec.column))
        if spec.lookup is not None and spec.column:
            return f"{lookup_table(spec.name)}.v"  # joined in the stage view
        if spec.value is not None:
            return f"NULLIF({q(spec.value)}, '')"
        if spec.column:
            return self.cell(spec.column)
        if spec.columns:
            parts = ", ".join(self.cell(c) for c in spec.columns)
            return f"NULLIF(concat_ws({q(spec.separator)}, {parts}), '')"
        pieces = re.split(r"(\{[^{}]+\})", spec.template or "")
        sql, cols = [], []
        for piece in pieces:
            if piece.startswith("{") and piece.endswith("}"):
                cell = self.cell(piece[1:-1])
                cols.append(cell)
                sql.append(cell)
            elif piece:
                sql.append(q(piece))
        any_null = " OR ".join(f"{c} IS NULL" for c in cols)
        return f"CASE WHEN {any_null} THEN NULL ELSE concat({', '.join(sql)}) END"

    def column_label(self, spec: FieldSpec) -> str:
        """The source column(s) a reject names."""
        cols = spec.source_columns()
        return "+".join(cols) if cols else spec.name


def trimmed(expr: str) -> str:
    """SQL for NULLIF(trim(expr), ''), calling trim only on text it could change.

    DuckDB's trim removes Unicode space separators (Zs): ' ' or non-ASCII characters. Most cells have neither,
    and trim's copy of every cell was about a fifth of the value checks' time at 1M samples."""
    return (f"CASE WHEN {expr} < '!' OR ends_with({expr}, ' ') OR strlen({expr}) <> length({expr})"
            f" THEN NULLIF(trim({expr}), '') ELSE {expr} END")


def map_values(expr: str, mapping: dict[str, str]) -> str:
    """CASE over lower(expr) for a value map; unmapped values pass through; '' becomes NULL."""
    if not mapping:
        return expr
    whens = " ".join(f"WHEN {q(k.lower())} THEN {q(v)}" for k, v in mapping.items())
    return f"NULLIF(CASE lower({expr}) {whens} ELSE {expr} END, '')"


def map_patterns(expr: str, patterns: dict[str, str]) -> str:
    """CASE over a field's text for a profile's ``patterns``: the first regex matching the whole text (any case)
    gives the text; others pass through; '' becomes NULL."""
    if not patterns:
        return expr
    whens = " ".join(f"WHEN regexp_full_match({expr}, {q(p)}, 'i') THEN {q(v)}" for p, v in patterns.items())
    return f"NULLIF(CASE {whens} ELSE {expr} END, '')"


def list_items_sql(expr: str, fmt: str, values: dict[str, str] | None = None) -> str:
    """SQL list of trimmed, non-empty items from a list cell, each item through the value map ``values``.

    ``fmt`` is "python" (a list literal) or any separator text ("\\n" included; a CRLF file's line break inside a
    quoted cell counts as "\\n"). A separator inside brackets does not split: "4-MMC (Mephedrone; 4-MMC);Caffeine"
    is two items."""
    if fmt == "python":
        items = (f"list_transform(regexp_extract_all({expr}, {q(PYLIST_ITEM)}),"
                 " m -> replace(substr(m, 2, length(m) - 2), '\\''', ''''))")
    else:
        cell = f"replace({expr}, chr(13) || chr(10), chr(10))" if "\n" in fmt else expr
        items = bracket_split_sql(cell, fmt)
    items = f"list_transform({items}, s -> {trimmed('s')})"
    if values:
        items = f"list_transform({items}, s -> {map_values('s', values)})"
    return f"list_filter({items}, s -> s IS NOT NULL AND s <> '' AND lower(s) <> 'none')"


def bracket_split_sql(expr: str, sep: str) -> str:
    """SQL list of the parts of ``expr`` between separators that are not inside () or [].

    Cells without a bracket take the plain split; the others are split everywhere, then parts are joined back
    (with the separator) while the part so far has more opening than closing brackets."""
    def depth(seg: str) -> str:
        return (f"(length({seg}) - length(replace(replace({seg}, '(', ''), '[', ''))"
                f" - length({seg}) + length(replace(replace({seg}, ')', ''), ']', '')))")

    last = "string_split(acc, chr(31))[-1]"
    joined = (f"list_reduce(string_split({expr}, {q(sep)}), (acc, p) -> acc || CASE WHEN {depth(last)} > 0"
              f" THEN {q(sep)} ELSE chr(31) END || p)")
    # the slow path only where a separator follows an opening bracket before it closes ('Heroin (Trace)' is
    # common and needs no rejoining): 1M cells split in 0.8 s either way, 1.8 s when every bracket took it
    inside = q(rf"\([^()]*{re.escape(sep)}|\[[^\[\]]*{re.escape(sep)}")
    return (f"CASE WHEN (contains({expr}, '(') OR contains({expr}, '[')) AND regexp_matches({expr}, {inside})"
            f" THEN string_split({joined}, chr(31)) ELSE string_split({expr}, {q(sep)}) END")


# UK postcodes (outward part: area, district, optional sub-district) and Canadian postal codes (the FSA), as
# written without spaces and in capitals. The outward part alone is accepted too.
POSTCODE_PATTERNS = (r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})?$", r"^([A-Z][0-9][A-Z])([0-9][A-Z][0-9])?$")


def postcode_outward_sql(cell: str) -> str:
    """SQL for the outward part of a postcode cell ("CF10 1AA" -> "CF10", "k1a 0b1" -> "K1A"); NULL when the
    cell is not a postcode. The full code is never returned."""
    c = f"upper(replace({cell}, ' ', ''))"
    whens = " ".join(f"WHEN regexp_full_match({c}, {q(p)}) THEN regexp_extract({c}, {q(p)}, 1)"
                     for p in POSTCODE_PATTERNS)
    return f"CASE {whens} END"


def lookup_table(field_name: str) -> str:
    """The temp table holding a field's lookup file."""
    return f"lookup_{field_name}"


# ---------------------------------------------------------------- the load itself

class _Phases:
    """Reports load phases to an optional callback (the CLI draws a progress bar from it)."""

    def __init__(self, callback: Callable[[str], None] | None):
        self.callback = callback

    def __call__(self, text: str) -> None:
        if self.callback:
            self.callback(text)


def load_paths(paths, profile=None, db=None, max_reject_rate: float = 0.01, progress: bool = True,
               wait: bool = False, source: str | None = None, service_start=None) -> list[LoadResult]:
    """Load each file in its own transaction; return one :class:`LoadResult` per file, in order.

    ``profile`` is a built-in name, a mapping-file path, a :class:`Profile`, or None to detect from the header.
    ``service_start`` (a date) overrides the profile's: samples dated before it are rejected.
    ``progress`` draws a progress bar on a terminal for files that take over a second.
    Raises ``db.AnotherLoadRunning`` when another load holds the warehouse and ``wait`` is false.
    """
    results = []
    for path in paths:
        with _progress_display(progress, Path(path).name) as phase:
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
        result = _already_loaded(path, content_hash, prof.name if prof else None, db)
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


def _already_loaded(path: Path, content_hash: str, profile_name: str | None, db) -> LoadResult | None:
    """The earlier run that loaded these exact bytes (with this profile, when one was named) as 'unchanged'."""
    wh = sw_db.warehouse_path(db)
    if not wh.exists():
        return None
    con = sw_db.connect_readonly(wh)
    try:
        # literals, not parameters: DuckDB imports pandas (about 1 s) to bind Python parameters
        profile_sql = "" if profile_name is None else f" AND profile = {q(profile_name)}"
        row = con.execute(
            f"SELECT run_id, rows_read, profile, kind FROM load_runs WHERE content_hash = {q(content_hash)}"
            f" AND status = 'loaded'{profile_sql} ORDER BY run_id LIMIT 1").fetchone()
    finally:
        con.close()
    if row is None:
        return None
    return LoadResult(file=path.name, status="unchanged", run_id=row[0], profile=row[2], kind=row[3],
                      rows_read=row[1],
                      message=f"{path.name}: unchanged, nothing added (same content as load run {row[0]})")


def person_columns(csvf: CsvFile, prof: Profile) -> list[str]:
    """Header columns that hold person-level identifiers and are not deliberately ignored by the profile."""
    ignored = {c.lower() for c in prof.ignore_columns}
    return [h for h in csvf.header if h and P.is_person_column(h) and h.lower() not in ignored]


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
        n_good, duck_rejects = _read_raw(con, csvf)
        phase("looking for person-level data")
        person_named = {i for i, h in enumerate(csvf.header) if h and P.is_person_column(h)}
        found = _scan_person_data(con, csvf, prof, person_named, res)
        mapper = Mapper(prof, csvf.header)
        phase("checking values")
        src = source or prof.source
        res.skipped_reasons = _count_skipped(con, mapper)
        res.rows_skipped = sum(n for _, n in res.skipped_reasons)
        _stage(con, mapper)
        con.execute("SET preserve_insertion_order = false")  # order is in stage.rec from here on
        transform = {"samples": _transform_samples, "overdoses": _transform_overdoses,
                     "alerts": _transform_alerts}[prof.kind]
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
        _store_rejects(con, run_id, csvf, duck_rejects, bad, blank=person_named | found.blank_indexes)
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
            insert = {"samples": _insert_samples, "overdoses": _insert_overdoses, "alerts": _insert_alerts}
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
                _refuse_conflicts(con, res, exc, csvf, mapper, duck_rejects, redact=personal)
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


def skipped_text(res: LoadResult) -> str:
    """', 3 skipped without a result (Status = not analysed: 2, Status = pending: 1)' or '' when none were."""
    if not res.rows_skipped:
        return ""
    reasons = ", ".join(f"{r}: {n}" for r, n in res.skipped_reasons)
    return f", {res.rows_skipped} skipped without a result ({reasons})"


def _refuse_conflicts(con, res: LoadResult, exc: conflicts.ConflictsFound, csvf: CsvFile, mapper: Mapper,
                      duck: list[tuple], redact: bool) -> None:
    """Refuse the file for rows whose key another row holds with other values; list each one as a reject."""
    con.execute("DROP VIEW IF EXISTS kt; DROP VIEW IF EXISTS stored_kt")
    goods = {c.rec for c in exc.conflicts} | {c.other_rec for c in exc.conflicts if c.other_rec is not None}
    duck_recs = sorted(int(line) - 1 for line, *_ in duck)
    to_record = _good_index_to_record(csvf, duck_recs, sorted(goods))
    located = readers.record_lines(csvf.read_path, csvf.delimiter, set(to_record.values()))
    where = {g: located.get(to_record[g], (None, None)) for g in goods}
    rows = [(res.run_id, line, cols, reason, None if redact else _clip(raw))
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


def install_dictionary_if_changed(con) -> None:
    """Refill the dictionary tables when data/substances.csv changed since the last load (its hash is in meta)."""
    import hashlib

    path = Path(substances.DICTIONARY_PATH)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
    if sw_db.get_meta(con, "dictionary_sha256") == digest:
        substances.register_functions(con)
        return
    substances.install_dictionary(con)
    sw_db.set_meta(con, "dictionary_sha256", digest)


def run_unknown_names(con, run_id: int, limit: int = 10) -> list[tuple[str, int]]:
    """Raw substance names this run loaded that the dictionary does not know, with counts."""
    return [tuple(r) for r in con.execute(
        "SELECT name, sum(n)::BIGINT AS n FROM ("
        " SELECT d.substance_raw AS name, count(*) AS n FROM detections d JOIN samples s USING (sample_id)"
        f" WHERE s.load_run_id = {int(run_id)} AND d.class = 'unclassified' GROUP BY 1"
        f" UNION ALL SELECT expected_raw, count(*) FROM samples WHERE load_run_id = {int(run_id)}"
        " AND expected_class = 'unclassified' GROUP BY 1)"
        f" GROUP BY name ORDER BY n DESC, name LIMIT {int(limit)}").fetchall()]


def _read_raw(con: duckdb.DuckDBPyConnection, csvf: CsvFile) -> tuple[int, list[tuple]]:
    """Read every record as VARCHAR into temp table ``raw`` (rowid = order); return (good rows, DuckDB rejects)."""
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(csvf.header))) + "}"
    try:
        _read_csv(con, csvf, cols)
    except duckdb.InvalidInputException as exc:  # the parser gave up on the whole file (found by the fuzz too)
        raise _csv_error(csvf, exc) from None
    n_good, base = con.execute("SELECT count(*), coalesce(min(rowid), 0) FROM raw").fetchone()
    # temp-table rowids start at a large offset; rec = 0-based order of the rows DuckDB kept
    con.execute(f"CREATE OR REPLACE TEMP VIEW rawv AS SELECT rowid - {base} AS rec, * FROM raw")
    duck = con.execute(
        "SELECT line, arg_min(error_type, column_idx), arg_min(column_name, column_idx),"
        " arg_min(error_message, column_idx) FROM rej_errors GROUP BY line ORDER BY line").fetchall()
    return n_good, duck


def _csv_error(csvf: CsvFile, exc: Exception) -> FileRefused:
    """A DuckDB reader error (several hundred characters of parser options) as one line naming the file; nothing
    of DuckDB's text when it quotes person-level data."""
    first = str(exc).split(". ")[0].split(":", 1)[-1].strip()
    if not first or person_data.looks_personal(first):
        first = "no detail"
    line = re.search(r"\bLine:?\s*(\d+)", str(exc))
    where = f"line {line[1]}: " if line else ""
    return FileRefused(f"{csvf.path.name}: {where}cannot be read as CSV ({first[:120]}); check its quotes and line"
                       " endings, or save it again as CSV UTF-8")


def _read_csv(con, csvf: CsvFile, cols: str) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM read_csv({q(csvf.read_path)}, columns = {cols},"
        f" header = true, delim = {q(csvf.delimiter)}, quote = '\"', escape = '\"', auto_detect = false,"
        " strict_mode = true, null_padding = false, store_rejects = true, rejects_table = 'rej_errors',"
        " rejects_scan = 'rej_scans', max_line_size = 2097152, parallel = true)"
    )


def _duck_reason(error_type: str, message: str, expected: int) -> str:
    base = DUCKDB_REASONS.get(str(error_type), str(error_type).lower())
    m = re.search(r"Found:\s*(\d+)", message or "")
    if m and error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        return f"{base}: expected {expected}, found {m[1]}"
    return base


def _scan_person_data(con, csvf: CsvFile, prof: Profile, person_named: set[int], res: LoadResult):
    """Find person-level values by content (etl.person_data); add the columns it drops to the run's record."""
    fields = {name: spec.source_columns() for name, spec in prof.fields.items()}
    found = person_data.scan_raw(con, csvf.header, prof.kind, fields, person_named)
    res.person_found = found
    labels = {h: person_data.column_label(h, i) for i, h in enumerate(csvf.header)}  # a header may be data
    res.unused_columns = [labels.get(c, c) for c in res.unused_columns if labels.get(c, c) not in found.dropped]
    if found.dropped:
        res.dropped_columns = res.dropped_columns + list(found.dropped)
        con.execute(f"UPDATE load_runs SET dropped_columns = {lits([res.dropped_columns])} WHERE run_id = {res.run_id}")
    return found


def _store_rejects(con, run_id: int, csvf: CsvFile, duck: list[tuple], bad: list[tuple], blank: set[int]) -> None:
    """Insert rejects with physical line numbers and raw lines, person-level fields blanked (etl.person_data)."""
    if not duck and not bad:
        return
    duck_recs = sorted(int(line) - 1 for line, *_ in duck)   # DuckDB's line = header + record number
    blank_free = _good_index_to_record(csvf, duck_recs, [g for g, *_ in bad])
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
                     _duck_reason(etype, msg, ncols), _clip(person_data.blank_line(raw, csvf.delimiter, ncols, blank))))
    for g, col, reason in bad:
        rec = blank_free[g]
        phys, raw = located.get(rec, (None, None))
        rows.append((run_id, phys, col, reason, _clip(person_data.blank_line(raw, csvf.delimiter, ncols, blank))))
    for i in range(0, len(rows), 1000):
        con.execute("INSERT INTO rejects VALUES " + ", ".join(f"({lits(r)})" for r in rows[i:i + 1000]))


def _clip(raw: str | None) -> str | None:
    if raw is None:
        return None
    return raw if len(raw) <= RAW_LINE_MAX else raw[:RAW_LINE_MAX] + "..."


def _good_index_to_record(csvf: CsvFile, duck_recs: list[int], goods: list[int]) -> dict[int, int]:
    """Map 0-based indexes of rows DuckDB kept to 1-based record numbers (blank lines count, as DuckDB counts them)."""
    if not goods:
        return {}
    # Records DuckDB did not return: its rejects and blank lines. Blank lines are found by reading the file.
    skipped = set(duck_recs) | _blank_records(csvf, max(goods) + len(duck_recs) + 1)
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


def _blank_records(csvf: CsvFile, upto_kept: int) -> set[int]:
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


# ---------------------------------------------------------------- per-kind transforms

def _check(cond: str, reason_sql: str) -> str:
    return f"CASE WHEN {cond} THEN {reason_sql} END"


def _quoted(expr: str) -> str:
    """SQL producing 'value' in quotes, shortened, for a reason text; a person-level value is withheld."""
    return (f"CASE WHEN regexp_matches({expr}, {q(person_data.ANY)}) THEN {q(person_data.WITHHELD)}"
            f" ELSE '''' || left({expr}, 80) || '''' END")


def _first_error(checks: list[tuple[str, str]]) -> tuple[str, str, str]:
    """SQL for the check columns (inner select), the first failing reason, and the column it names (outer)."""
    if not checks:
        return "", "NULL::VARCHAR", "NULL::VARCHAR"
    inner = "".join(f", {c} AS e{i}" for i, (c, _) in enumerate(checks))
    names = [f"e{i}" for i in range(len(checks))]
    reason = f"coalesce({', '.join(names)})" if len(names) > 1 else names[0]
    col = "CASE " + " ".join(f"WHEN e{i} IS NOT NULL THEN {q(label)}" for i, (_, label) in enumerate(checks)) + " END"
    return inner, reason, col


def _create_t(con, select_sql: str, checks: list[tuple[str, str]]) -> None:
    """CREATE temp table t from ``select_sql`` (which ends with {checks} before FROM), adding err and err_col."""
    inner, reason, col = _first_error(checks)
    drop = f" EXCLUDE ({', '.join(f'e{i}' for i in range(len(checks)))})" if checks else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE t AS SELECT *{drop}, {reason} AS err, {col} AS err_col"
                f" FROM ({select_sql.replace('{checks}', inner)})")


def _text(m: Mapper, name: str) -> str:
    """The field's text after its value map: a column of the ``stage`` table."""
    return f"f_{name}" if name in m.profile.fields else "NULL::VARCHAR"


def _as_written(m: Mapper, name: str) -> str:
    """The field's text as written (before value maps): a column of the ``stage`` table."""
    return f"b_{name}" if name in m.profile.fields else "NULL::VARCHAR"


def skip_sql(m: Mapper) -> str:
    """SQL true for rows the mapping's ``skip_when`` rules say carry no result."""
    conds = [f"coalesce(lower({m.cell(col)}) IN ({', '.join(q(v) for v in values)}), false)"
             for col, values in m.profile.skip_when]
    return " OR ".join(conds) or "false"


def _count_skipped(con, m: Mapper) -> list[tuple[str, int]]:
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


def _coarse_checks(m: Mapper, checks: list) -> None:
    """Reject rows whose code cannot be coarsened; the reason does not quote the code (it may be a postcode)."""
    for name, spec in m.profile.fields.items():
        if spec.postcode:
            why = "not a postcode (UK or Canadian); the value is not stored"
        elif spec.lookup is not None:
            why = f"not in the lookup file {spec.lookup_file}; the value is not stored"
        else:
            continue
        checks.append((_check(f"r_{name} IS NOT NULL AND b_{name} IS NULL", q(why)), m.column_label(spec)))


def _stage(con, m: Mapper) -> None:
    """Temp view ``stage``: each field's text, as written (b_) and value-mapped (f_), named once for the checks.

    A view, not a table: materialising it cost a full extra pass and copy of the file's text. Rows a
    ``skip_when`` rule matches are left out (counted by :func:`_count_skipped`)."""
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


def _date_check(m: Mapper, name: str, required: bool, checks: list) -> str:
    spec = m.profile.fields[name]
    raw = _text(m, name)
    fmts = "[" + ", ".join(q(f) for f in spec.formats) + "]"
    parsed = f"try_strptime({raw}, {fmts})::DATE"
    label = m.column_label(spec)
    shown = " or ".join(spec.formats)
    for directive, text in (("%Y", "YYYY"), ("%y", "YY"), ("%m", "MM"), ("%d", "DD"), ("%B", "March"), ("%b", "Mar"),
                            ("%H", "hh"), ("%M", "mm"), ("%S", "ss")):
        shown = shown.replace(directive, text)
    if "%b" in "".join(spec.formats).lower():
        shown += "; month names in English"
    if required:
        checks.append((_check(f"{raw} IS NULL", q(f"{name} is empty")), label))
    checks.append((_check(f"{raw} IS NOT NULL AND {parsed} IS NULL",
                          f"'bad date ' || {_quoted(raw)} || {q(f' (expected {shown})')}"), label))
    return parsed


def _enum(m: Mapper, name: str, synonyms: dict[str, str], allowed: list[str], what: str, checks: list,
          unknown_to: str | None = None) -> str:
    spec = m.profile.fields.get(name)
    if spec is None:
        return "NULL::VARCHAR"
    text = _text(m, name)
    whens = " ".join(f"WHEN {q(k)} THEN {q(v)}" for k, v in synonyms.items())
    canon = f"NULLIF(CASE lower({text}) {whens} ELSE lower({text}) END, '')" if whens else f"lower({text})"
    ok = "(" + ", ".join(q(a) for a in allowed) + ")"
    if unknown_to is not None:
        return f"CASE WHEN {canon} IN {ok} THEN {canon} WHEN {canon} IS NULL THEN NULL ELSE {q(unknown_to)} END"
    checks.append((_check(f"{canon} IS NOT NULL AND {canon} NOT IN {ok}",
                          f"{_quoted(text)} || {q(' is not ' + what)}"), m.column_label(spec)))
    return canon


def _number(m: Mapper, name: str, checks: list, lo: float | None, hi: float | None) -> str:
    spec = m.profile.fields.get(name)
    if spec is None:
        return "NULL::DOUBLE"
    text = _text(m, name)
    num = f"(TRY_CAST(replace(replace({text}, '%', ''), ',', '') AS DOUBLE) * {spec.scale!r})"
    label = m.column_label(spec)
    checks.append((_check(f"{text} IS NOT NULL AND {num} IS NULL", f"{_quoted(text)} || ' is not a number'"),
                   label))
    cond, reason = plausibility.finite_check(num, _quoted(text))
    checks.append((_check(cond, reason), label))
    if lo is not None:
        checks.append((_check(f"{num} < {lo} OR {num} > {hi}",
                              f"{_quoted(text)} || {q(f' is outside {lo:g}-{hi:g}')}"), label))
    return num


def _source_sql(m: Mapper, src: str) -> str:
    spec = m.profile.fields.get("source")
    return f"coalesce({_text(m, 'source')}, {q(src)})" if spec else q(src)


def _transform_samples(con, m: Mapper, src: str) -> None:
    checks: list[tuple[str, str]] = []
    f = m.profile.fields
    date = _date_check(m, "date", True, checks)
    _coarse_checks(m, checks)
    checks += [(_check(cond, reason), m.column_label(f["date"])) for cond, reason in plausibility.sample_date_checks(
        date, _quoted(_text(m, "date")), m.profile.service_start, plausibility.load_day())]
    strips = {s: _enum(m, s, STRIP_VALUES, ["positive", "negative", "invalid"],
                       "a strip result (positive, negative, invalid or empty)", checks) for s in P.STRIPS}
    pct = _number(m, "fentanyl_pct", checks, 0, 100)
    linked = _enum(m, "overdose_linked", YESNO_VALUES, ["yes", "no"], "yes, no or empty", checks)
    stype = _enum(m, "sample_type", SAMPLE_TYPE_VALUES, ["drug", "residue"], "drug or residue", checks)
    form = _enum(m, "form", FORM_VALUES, list(dict.fromkeys(FORM_VALUES.values())), "", checks, unknown_to="other")
    lists = {}
    for name in P.LISTS:
        spec = f.get(name)
        if spec is None:
            continue
        text = _text(m, name)
        lists[name] = (text, list_items_sql(text, spec.list, spec.values))
        if spec.list == "python":
            checks.append((_check(f"{text} IS NOT NULL AND NOT regexp_full_match({text}, '\\s*\\[.*\\]\\s*', 's')",
                                  f"{_quoted(text)} || ' is not a list like [''a'', ''b'']'"), m.column_label(spec)))
    tested = {"ftir": [f"{lists[n][0]} IS NOT NULL" for n in lists if n.startswith("ftir")],
              "lab": [f"{lists[n][0]} IS NOT NULL" for n in lists if n.startswith("lab")]}
    flag_cols = ""
    flag_results = []
    for k, group in enumerate(m.profile.flags):
        names = [f"flag{k}_{j}" for j in range(len(group.columns))]
        pos = ", ".join(q(v) for v in group.positive) or "NULL"
        known = ", ".join(q(v) for v in group.positive + group.negative) or "NULL"
        picks = ", ".join(f"CASE WHEN {n} IN ({pos}) THEN {q(sub)} END" for n, sub in zip(names, group.columns.values()))
        trace = "trace_" if group.trace else ""
        flag_cols += f", list_filter([{picks}], x -> x IS NOT NULL) AS flags{k}_{group.method}_{trace}items"
        any_cell = "(" + " OR ".join(f"{n} IS NOT NULL" for n in names) + ")"
        tested[group.method].append(any_cell)
        flag_results.append(f"CASE WHEN {any_cell} THEN 'x' END")
        for n, col in zip(names, group.columns):
            checks.append((_check(f"{n} IS NOT NULL AND {n} NOT IN ({known})",
                                  f"{_quoted(n)} || {q(' is not a flag value (' + '/'.join(group.positive[:3]) + ' or ' + '/'.join(group.negative[:3]) + ')')}"),
                           col))
    results = [strips[s] for s in P.STRIPS if s in f] + [pct] + [lists[n][0] for n in lists] + flag_results
    checks.append((_check(" AND ".join(f"{r} IS NULL" for r in results),
                          q("no result: every result cell is empty")),
                   "+".join([m.column_label(f[n]) for n in f if n in P.RESULT_FIELDS]
                            + [c for g in m.profile.flags for c in g.columns])))
    key_fields = m.profile.natural_key or [n for n in f if n not in ("sample_id", "notes", "source")]
    sid = _text(m, "sample_id")
    # only rows without a sample_id use the natural key (hashing every row cost about 1 s CPU at 1M samples)
    key = (f"CASE WHEN {sid} IS NULL THEN md5(concat_ws(" + q(SEP) + ", "
           + ", ".join(f"coalesce({_as_written(m, k)}, '')" for k in key_fields) + ")) END")
    list_cols = "".join(f", {sql} AS {n}_items" for n, (_, sql) in lists.items())
    _create_t(con, f"""
        SELECT rec, {_source_sql(m, src)} AS source, {sid} AS sid, {key} AS nkey,
               {date} AS collected_date, {_text(m, 'site')} AS site, {_text(m, 'region')} AS region,
               {_text(m, 'expected')} AS expected_raw, {stype} AS sample_type, {form} AS form,
               {_text(m, 'colour')} AS colour,
               {', '.join(f'{strips[s]} AS {s}' for s in P.STRIPS)},
               {' OR '.join(tested['ftir']) or 'false'} AS ftir_tested,
               {' OR '.join(tested['lab']) or 'false'} AS lab_tested,
               {pct} AS fentanyl_pct, ({linked}) = 'yes' AS overdose_linked, {_text(m, 'notes')} AS notes
               {list_cols}{flag_cols} {{checks}}
        FROM stage
    """, checks)


def _insert_samples(con, run_id: int) -> tuple[int, int]:
    """Insert new samples and their detections; return (loaded, duplicates skipped).

    Works on small (rec, sample_id) key tables and joins back to ``t`` once, and normalises each distinct
    component name once (a few hundred) rather than every cell (millions at scale).
    """
    key_sql = substances.NAME_KEY_SQL
    con.execute("""
        CREATE OR REPLACE TEMP TABLE k AS
        SELECT rec, source || ':' || sid AS sample_id FROM t WHERE err IS NULL AND sid IS NOT NULL
        UNION ALL
        SELECT rec, source || ':' || left(nkey, 16) || '-'
                    || row_number() OVER (PARTITION BY source, nkey ORDER BY rec)
        FROM t WHERE err IS NULL AND sid IS NULL
    """)
    valid = con.execute("SELECT count(*) FROM k").fetchone()[0]
    conflicts.samples_views(con)
    conflicts.check(con, "kt", "sample_id", "n.sample_id", stored="stored_kt", keys="k", stored_keys="samples")
    con.execute("DROP VIEW kt; DROP VIEW stored_kt")
    ekey = key_sql.format(col="e.raw")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE expected_map AS
        SELECT e.raw, sn.substance,
               CASE WHEN sn.is_placeholder THEN NULL ELSE coalesce(s.class, 'unclassified') END AS class
        FROM (SELECT DISTINCT expected_raw AS raw FROM t WHERE expected_raw IS NOT NULL) e
        LEFT JOIN substance_names sn ON sn.name_key = {ekey}
        LEFT JOIN substances s ON s.substance = sn.substance
    """)
    item_cols = [r[0] for r in con.execute("DESCRIBE t").fetchall() if r[0].endswith("_items")]
    for i, col in enumerate(item_cols):  # ftir_components_items, lab_trace_components_items, flags0_lab_items ...
        name = col[: -len("_items")]
        all_trace = "true" if "trace" in name else "false"
        # the name map from every distinct item in the file (a few hundred), then detections straight from a query
        ikey = key_sql.format(col="i.item")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE item_map{i} AS
            SELECT i.item, s.substance, coalesce(s.class, 'unclassified') AS class,
                   {all_trace} OR {substances.IS_TRACE_SQL.format(col="i.item")} AS trace,
                   coalesce(sn.is_placeholder, false) AS placeholder
            FROM (SELECT DISTINCT unnest({col}) AS item FROM t WHERE err IS NULL) i
            LEFT JOIN substance_names sn ON sn.name_key = {ikey}
            LEFT JOIN substances s ON s.substance = sn.substance
        """)
    # In pieces of consecutive rows, so no step holds more than a piece's samples and detections whatever the
    # file's size (etl.load_memory). A key's first row is in the earliest piece holding the key; later pieces
    # find it stored, so each sample is written once, from its first row, as in one piece.
    n_new = 0
    last = con.execute("SELECT coalesce(max(rec), -1) FROM k").fetchone()[0]
    step = load_memory.rows_per_piece()
    for lo in range(0, last + 1, step):
        n_new += _insert_sample_piece(con, run_id, item_cols, lo, lo + step)
    con.execute("DROP TABLE IF EXISTS kn")
    for table in ("k", "expected_map", *(f"item_map{i}" for i in range(len(item_cols)))):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return n_new, valid - n_new


def _insert_sample_piece(con, run_id: int, item_cols: list[str], lo: int, hi: int) -> int:
    """Insert the new samples among the rows ``lo`` <= rec < ``hi`` with their detections; return how many were
    new."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE kn AS
        SELECT sample_id, rec, nextval('sample_nos') AS sample_no FROM (
            SELECT sample_id, rec FROM k
            WHERE k.rec >= {lo} AND k.rec < {hi} AND NOT EXISTS (SELECT 1 FROM samples s WHERE s.sample_id = k.sample_id)
            QUALIFY row_number() OVER (PARTITION BY sample_id ORDER BY rec) = 1)
    """)
    n_new, first, final = con.execute("SELECT count(*), min(sample_no), max(sample_no) FROM kn").fetchone()
    if not n_new:
        return 0
    # the new samples with their keys and canonical expectation, read once from t (the range lets DuckDB skip the
    # rest of t) for the inserts below
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ns AS
        SELECT kn.sample_id, kn.sample_no, e.substance AS expected_substance, e.class AS expected_class, n.*
        FROM kn JOIN t n USING (rec)
        LEFT JOIN expected_map e ON e.raw = n.expected_raw
        WHERE n.rec >= {lo} AND n.rec < {hi}
    """)
    context = ", ".join(f"ns.{c}" for c in DETECTION_SAMPLE_COLUMNS)
    for i, col in enumerate(item_cols):
        name = col[: -len("_items")]
        method = "ftir" if name.startswith("ftir") or "_ftir" in name else "lab"
        con.execute(f"""
            INSERT INTO detections
            SELECT d.sample_id, '{method}', d.item, m.substance, m.class, m.trace, NOT m.trace,
                   d.sample_no, {context.replace('ns.', 'd.')}
            FROM (SELECT ns.sample_id, ns.sample_no, {context}, unnest(ns.{col}) AS item FROM ns) d
            JOIN item_map{i} m USING (item)
            WHERE NOT m.placeholder
        """)
    # every positive strip in one pass over the new samples (was one join per strip)
    targets = ", ".join(f"({lits([strip, STRIP_RAW[strip], substance, cls])})"
                        for strip, (substance, cls) in STRIP_TARGETS.items())
    positives = ", ".join(f"CASE WHEN ns.{strip} = 'positive' THEN {q(strip)} END" for strip in STRIP_TARGETS)
    con.execute(f"""
        INSERT INTO detections
        SELECT p.sample_id, p.method, g.raw, g.substance, g.class, false, true,
               p.sample_no, {context.replace('ns.', 'p.')}
        FROM (SELECT ns.sample_id, ns.sample_no, {context},
                     unnest(list_filter([{positives}], x -> x IS NOT NULL)) AS method
              FROM ns) p
        JOIN (VALUES {targets}) g(method, raw, substance, class) USING (method)
    """)
    # the samples last, each with its findings folded from the detections just written (supplywatch.findings)
    folded = ", ".join(f"coalesce(f.{c}, {v})" for c, v in zip(findings.COLUMNS, findings.NOTHING_FOUND))
    con.execute(f"""
        INSERT INTO samples
        SELECT sample_id, source, collected_date, site, region, expected_raw, expected_substance, expected_class,
               sample_type, form, colour, fentanyl_strip, benzo_strip, xylazine_strip,
               nitazene_strip, medetomidine_strip, ftir_tested, lab_tested, fentanyl_pct,
               overdose_linked, notes, {run_id}, sample_no, {folded}
        FROM ns LEFT JOIN ({findings.fold_sql(f"d.sample_no >= {first} AND d.sample_no <= {final}")}) f
             USING (sample_no)
    """)
    con.execute("DROP TABLE ns")
    first_seen.add_samples(con, first, final)  # the first/last-seen summary, in this transaction
    return n_new


def _transform_overdoses(con, m: Mapper, src: str) -> None:
    checks: list[tuple[str, str]] = []
    f = m.profile.fields
    period_spec = f["period"]
    period_text = _text(m, "period")
    label = m.column_label(period_spec)
    # Periods have few distinct labels: parse them in Python, join back.
    labels = [r[0] for r in con.execute(f"SELECT DISTINCT {period_text} FROM stage").fetchall() if r[0] is not None]
    parsed = [(lab, *p) for lab in labels if (p := parse_period(lab, period_spec.formats))]
    if period_spec.window:  # each label ends a rolling window of N months
        parsed = [(lab, *rolling(e, period_spec.window), "rolling") for lab, _s, e, _k in parsed]
    con.execute("CREATE OR REPLACE TEMP TABLE periods (label VARCHAR, s DATE, e DATE, ptype VARCHAR)")
    if parsed:
        con.execute("INSERT INTO periods VALUES " + ", ".join(f"({lits(p)})" for p in parsed))
    checks.append((_check(f"{period_text} IS NULL", q("period is empty")), label))
    checks.append((_check(f"{period_text} IS NOT NULL AND p.label IS NULL",
                          f"{_quoted(period_text)} || {q(' is not a period (' + PERIOD_HELP + ')')}"), label))
    _coarse_checks(m, checks)
    measure = _enum(m, "measure", {}, list(MEASURES), "a measure (" + ", ".join(MEASURES) + ")", checks)
    checks.append((_check(f"{measure} IS NULL", q("measure is empty")), m.column_label(f["measure"])))
    unit = _enum(m, "unit", UNIT_VALUES, UNITS, "a unit (" + ", ".join(UNITS[:-1]) + " or " + UNITS[-1] + ")", checks)
    checks.append((_check(f"{unit} IS NULL", q("unit is empty")), m.column_label(f["unit"])))
    vspec = f.get("value")
    vtext = _as_written(m, "value")
    sup = [s.lower() for s in (vspec.suppressed if vspec and vspec.suppressed is not None else DEFAULT_SUPPRESSED)]
    mis = [s.lower() for s in (vspec.missing if vspec and vspec.missing is not None else DEFAULT_MISSING)]
    lv = f"lower(coalesce({vtext}, ''))"
    is_sup = f"({lv} IN ({', '.join(q(s) for s in sup) or 'NULL'}) OR regexp_full_match({lv}, '<\\s*[0-9]+'))"
    is_mis = f"({lv} IN ({', '.join(q(s) for s in mis) or 'NULL'}))"
    num = f"TRY_CAST(replace({vtext}, ',', '') AS DOUBLE) * {(vspec.scale if vspec else 1.0)!r}"
    if vspec:
        checks.append((_check(f"NOT {is_sup} AND NOT {is_mis} AND {num} IS NULL",
                              f"{_quoted(vtext)} || ' is not a number or a suppression marker'"),
                       m.column_label(vspec)))
        checks += [(_check(f"NOT {is_sup} AND NOT {is_mis} AND {cond}", reason), m.column_label(vspec))
                   for cond, reason in plausibility.overdose_value_checks(num, unit, _quoted(vtext))]
    _create_t(con, f"""
        SELECT stage.rec, {_source_sql(m, src)} AS source,
               {_text(m, 'region')} AS region, {_text(m, 'site')} AS site,
               p.s AS period_start, p.e AS period_end, {period_text} AS period_label, p.ptype AS period_type,
               {measure} AS measure, {_text(m, 'substance')} AS substance, {_text(m, 'breakdown')} AS breakdown,
               {unit} AS unit,
               CASE WHEN {is_sup} OR {is_mis} THEN NULL ELSE {num} END AS value,
               coalesce({is_sup}, false) AS suppressed,
               CASE WHEN {num} IS NULL THEN {vtext} END AS value_label {{checks}}
        FROM stage LEFT JOIN periods p ON p.label = {period_text}
    """, checks)


OVERDOSE_KEY_LABEL = "concat_ws(', ', n.region, n.site, n.period_label, n.measure, n.substance, n.breakdown, n.unit)"


def _insert_overdoses(con, run_id: int) -> tuple[int, int]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE new AS
        SELECT md5(concat_ws({q(SEP)}, source, coalesce(region, ''), coalesce(site, ''),
                              period_label || CASE WHEN period_type = 'rolling' THEN ' rolling '
                                  || datediff('month', period_start, period_end + 1) ELSE '' END, measure,
                              coalesce(substance, ''), coalesce(breakdown, ''), unit)) AS event_key, *
        FROM t WHERE err IS NULL
    """)
    valid = con.execute("SELECT count(*) FROM new").fetchone()[0]
    conflicts.check(con, "new", "event_key", OVERDOSE_KEY_LABEL, stored="overdose_events")
    n = con.execute(f"""
        INSERT INTO overdose_events
        SELECT event_key, source, region, site, period_start, period_end, period_label, period_type, measure,
               substance, breakdown, unit, value, suppressed, value_label, {run_id}
        FROM new WHERE event_key NOT IN (SELECT event_key FROM overdose_events)
        QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY rec) = 1
        ORDER BY rec
    """).fetchone()[0]
    con.execute("DROP TABLE new; DROP TABLE IF EXISTS periods")
    return n, valid - n


def _transform_alerts(con, m: Mapper, src: str) -> None:
    checks: list[tuple[str, str]] = []
    date = _date_check(m, "date", True, checks)
    _coarse_checks(m, checks)
    title = _text(m, "title")
    checks.append((_check(f"{title} IS NULL", q("title is empty")), m.column_label(m.profile.fields["title"])))
    # links are parsed by the parser the board and every channel use (supplywatch.weblinks), not matched by a
    # pattern: one that could break out of markdown or HTML is not stored (the alert is kept without it)
    _register_public_link(con)
    safe_link = f"sw_public_link({_text(m, 'link')})"
    aid = _text(m, "alert_id")
    _create_t(con, f"""
        SELECT rec, {_source_sql(m, src)} AS source, {aid} AS aid,
               {date} AS issued_date, {_text(m, 'region')} AS region, {_text(m, 'type')} AS alert_type,
               {title} AS title, {_text(m, 'text')} AS body, {safe_link} AS link {{checks}}
        FROM stage
    """, checks)


def _register_public_link(con) -> None:
    """Make ``sw_public_link(text)`` (weblinks.public_link: the link as published, or NULL) callable in SQL."""
    try:
        con.create_function("sw_public_link", weblinks.public_link, ["VARCHAR"], "VARCHAR",
                            null_handling="special", side_effects=False)
    except duckdb.NotImplementedException:  # already registered on this connection
        pass


def _insert_alerts(con, run_id: int) -> tuple[int, int]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE new AS
        SELECT coalesce(source || ':' || aid,
                        source || ':' || left(md5(concat_ws({q(SEP)}, issued_date::VARCHAR, coalesce(region, ''),
                                                           title)), 16)) AS alert_id, *
        FROM t WHERE err IS NULL
    """)
    valid = con.execute("SELECT count(*) FROM new").fetchone()[0]
    conflicts.check(con, "new", "alert_id", "coalesce(n.aid, concat_ws(', ', n.issued_date, n.region, n.title))",
                    stored="alerts")
    n = con.execute(f"""
        INSERT INTO alerts
        SELECT alert_id, source, issued_date, region, alert_type, title, body, link, {run_id}
        FROM new WHERE alert_id NOT IN (SELECT alert_id FROM alerts)
        QUALIFY row_number() OVER (PARTITION BY alert_id ORDER BY rec) = 1
        ORDER BY rec
    """).fetchone()[0]
    con.execute("DROP TABLE new")
    return n, valid - n


# ---------------------------------------------------------------- progress

class _progress_display:
    """A rich progress line for a file, shown only on a terminal and only once the load has taken a second."""

    def __init__(self, enabled: bool, name: str):
        import threading

        self.enabled = enabled and sys.stdout.isatty()
        self.name = name
        self.text = "starting"
        self.progress = None
        self.task = None
        self.lock = threading.Lock()
        self.timer = threading.Timer(1.0, self._show) if self.enabled else None

    def __enter__(self):
        if self.timer:
            self.timer.daemon = True
            self.timer.start()
        return self.update

    def _show(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self.lock:
            if self.timer is None:
                return
            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                     transient=True)
            self.progress.start()
            self.task = self.progress.add_task(f"{self.name}: {self.text}", total=None)

    def update(self, text: str) -> None:
        self.text = text
        with self.lock:
            if self.progress is not None:
                self.progress.update(self.task, description=f"{self.name}: {text}")

    def __exit__(self, *exc):
        with self.lock:
            if self.timer:
                self.timer.cancel()
                self.timer = None
            if self.progress is not None:
                self.progress.stop()
        return False
