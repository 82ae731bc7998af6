"""Same key, different values: a conflict, never a silent duplicate.

A row is a duplicate only when it matches the row already kept for its key (earlier in the same file, or stored by
an earlier load) in every value it carries, after the profile's mapping (so "3,000" and "3000" are the same count).
A row whose key is taken by a row with other values is a conflict: which of the two is right cannot be told from
the file, and keeping either by file order would mix series (a total and one of its parts, two releases of one
figure). The load refuses the whole file instead, naming both lines, the key and the columns that differ; every
conflicting row is listed under ``python -m etl rejects RUN``.

This module reads the temporary tables the load builds (one row per valid record with its key) and never writes
the warehouse; :func:`etl.rejects.refuse_conflicts` stores what it finds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from supplywatch.db import sql_literals
from supplywatch.dictionary import NAME_KEY_SQL

SHOWN_VALUE_MAX = 40     # characters of a cell shown in a message
DETAILS_KEPT = 10_000    # conflicting rows described one by one (the count is always exact)
NEVER_SHOWN = ("notes",)  # free text: named when it differs, never quoted

# The load's per-row columns that are bookkeeping, not values a source wrote.
_NOT_VALUES = ("rec", "err", "err_col", "sid", "nkey", "sample_no", "load_run_id")

# canonical column -> profile field, to name the source column a person can find in the file
COLUMN_FIELD = {
    "collected_date": "date", "issued_date": "date", "expected_raw": "expected", "alert_type": "type",
    "body": "text", "value": "value", "suppressed": "value", "value_label": "value", "period_start": "period",
    "period_end": "period", "period_type": "period",
}


@dataclass
class Conflict:
    """One row whose key is already taken by a row with other values."""

    rec: int                       # 0-based index of the later row among the rows DuckDB kept
    other_rec: int | None          # the earlier row of this file with the key, or None
    other_run: int | None          # the load run that stored the row with the key, or None
    key: str                       # the key as a person reads it
    columns: list[str]             # canonical columns that differ
    stored: dict[str, object] = field(default_factory=dict)   # the stored row's values of those columns
    new: dict[str, object] = field(default_factory=dict)      # this row's values of those columns


class ConflictsFound(Exception):
    """Raised inside the load's transaction: the file is refused; ``conflicts`` holds the first ones found."""

    def __init__(self, conflicts: list[Conflict], total: int):
        super().__init__(f"{total} conflicting rows")
        self.conflicts = conflicts
        self.total = total


def value_columns(con, table: str, exclude: tuple[str, ...]) -> list[str]:
    """Columns of ``table`` that hold values a row carries (bookkeeping and the key excluded)."""
    skip = set(_NOT_VALUES) | set(exclude)
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in skip]


def _diff_list(cols: list[str], a: str, b: str) -> str:
    """SQL: the names of the columns where rows ``a`` and ``b`` differ (NULL equals NULL)."""
    if not cols:
        return "[]::VARCHAR[]"
    items = ", ".join(f"CASE WHEN {a}.{_id(c)} IS DISTINCT FROM {b}.{_id(c)} THEN '{c}' END" for c in cols)
    return f"list_filter([{items}], x -> x IS NOT NULL)"


def _id(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def samples_views(con) -> None:
    """Views ``kt`` (the file's valid samples) and ``stored_kt`` (stored samples) with comparable findings.

    A sample carries its component findings too: ``found_raw`` is the sorted list of 'method:name as written' of
    its FTIR and lab findings (list cells and flag columns), placeholders left out as the load leaves them out,
    so 'A;B' and 'B;A' are the same result and a stored sample compares through its detections. Strips are
    columns of the sample and compared as such."""
    items = [r[0] for r in con.execute("DESCRIBE t").fetchall() if r[0].endswith("_items")]
    placeholders = [r[0] for r in con.execute("SELECT name_key FROM substance_names WHERE is_placeholder").fetchall()]
    ph = sql_literals([placeholders])
    tagged = [f"list_transform(t.{_id(c)}, x -> '{'ftir' if c.startswith('ftir') or '_ftir' in c else 'lab'}:' || x)"
              for c in items]
    found = (f"list_sort(list_filter(flatten([{', '.join(tagged)}]),"
             f" x -> NOT list_contains({ph}, {NAME_KEY_SQL.format(col='substr(x, strpos(x, chr(58)) + 1)')})))"
             if items else "[]::VARCHAR[]")
    drop = ", ".join(["err", "err_col", *(_id(c) for c in items)])
    con.execute(f"CREATE OR REPLACE TEMP VIEW kt AS SELECT k.sample_id, t.* EXCLUDE ({drop}), {found} AS found_raw"
                " FROM k JOIN t USING (rec)")
    con.execute("CREATE OR REPLACE TEMP TABLE cf_recs (rec BIGINT, k VARCHAR)")  # check() fills it
    con.execute("""
        CREATE OR REPLACE TEMP VIEW stored_kt AS
        SELECT s.*, coalesce(d.found_raw, []::VARCHAR[]) AS found_raw FROM samples s LEFT JOIN (
            SELECT sample_no, list_sort(list(method || ':' || substance_raw)) AS found_raw FROM detections
            WHERE method IN ('ftir', 'lab') AND sample_no IN (SELECT sample_no FROM samples
                                                              WHERE sample_id IN (SELECT k FROM cf_recs))
            GROUP BY sample_no) d USING (sample_no)
    """)


def check(con, table: str, key: str, key_label_sql: str, stored: str | None = None,
          stored_key: str | None = None, keys: str | None = None, stored_keys: str | None = None) -> None:
    """Raise :class:`ConflictsFound` when rows of ``table`` share ``key`` with a row carrying other values.

    ``table`` has one row per valid record (column ``rec``) and its key column ``key``; ``keys`` is a narrower
    table with just ``rec`` and ``key`` when ``table`` is a wide view. ``stored`` is the warehouse table holding
    earlier loads (key column ``stored_key``, run column ``load_run_id``); only columns the two tables share are
    compared with stored rows. ``key_label_sql`` reads the key for a message (over ``n``).
    Costs one GROUP BY and one semi-join over the keys; rows are compared only for repeated or stored keys.
    """
    keys = keys or table
    skey = _id(stored_key or key)
    stored_hits = (f" OR {_id(key)} IN (SELECT {skey} FROM {stored_keys or stored})" if stored else "")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cf_recs AS
        SELECT rec, {_id(key)} AS k FROM {keys}
        WHERE {_id(key)} IN (SELECT {_id(key)} FROM {keys} GROUP BY 1 HAVING count(*) > 1){stored_hits}
    """)
    if not con.execute("SELECT count(*) FROM cf_recs").fetchone()[0]:
        con.execute("DROP TABLE cf_recs")
        return
    cols = value_columns(con, table, (key,))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cf_rep AS
        SELECT * FROM {table} WHERE rec IN (SELECT rec FROM cf_recs)
    """)
    table = "cf_rep"
    found = [f"""
        SELECT n.rec, f.rec AS other_rec, NULL::INTEGER AS other_run, {key_label_sql} AS key_label,
               {_diff_list(cols, 'n', 'f')} AS diff
        FROM cf_rep n
        JOIN (SELECT * FROM cf_rep QUALIFY row_number() OVER (PARTITION BY {_id(key)} ORDER BY rec) = 1) f
          ON f.{_id(key)} = n.{_id(key)} AND f.rec <> n.rec
    """]
    shared: list[str] = []
    if stored:
        have = {r[0] for r in con.execute(f"DESCRIBE {stored}").fetchall()}
        shared = [c for c in cols if c in have]
        found.append(f"""
            SELECT n.rec, NULL::BIGINT, s.load_run_id, {key_label_sql}, {_diff_list(shared, 'n', 's')}
            FROM {table} n JOIN {stored} s ON s.{_id(stored_key or key)} = n.{_id(key)}
        """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cf_found AS
        SELECT * FROM ({' UNION ALL '.join(found)}) WHERE len(diff) > 0
    """)
    total = con.execute("SELECT count(DISTINCT rec) FROM cf_found").fetchone()[0]
    if not total:
        con.execute("DROP TABLE cf_recs; DROP TABLE cf_rep; DROP TABLE cf_found")
        return
    rows = con.execute(f"""
        SELECT rec, other_rec, other_run, key_label, diff FROM cf_found
        QUALIFY row_number() OVER (PARTITION BY rec ORDER BY other_run NULLS FIRST) = 1
        ORDER BY rec LIMIT {DETAILS_KEPT}
    """).fetchall()
    conflicts = [Conflict(rec, other, run, label, list(diff)) for rec, other, run, label, diff in rows]
    _fill_stored_values(con, table, key, stored, stored_key, [c for c in conflicts if c.other_run is not None][:1])
    con.execute("DROP TABLE cf_recs; DROP TABLE cf_rep; DROP TABLE cf_found")
    raise ConflictsFound(conflicts, total)


def _fill_stored_values(con, table, key, stored, stored_key, conflicts: list[Conflict]) -> None:
    """Read both values of each differing column for conflicts with stored rows (the message quotes them)."""
    for c in conflicts:
        cols = [x for x in c.columns if x not in NEVER_SHOWN]
        if not cols:
            continue
        # findings read as a list cell would write them: 'Caffeine;Fentanyl HCl'
        sel = ", ".join("array_to_string(list_transform(found_raw, x -> substr(x, strpos(x, ':') + 1)), ';')"
                        if x == "found_raw" else f"{_id(x)}::VARCHAR" for x in cols)
        new = con.execute(f"SELECT {sel} FROM {table} WHERE rec = {int(c.rec)}").fetchone()
        old = con.execute(f"SELECT {sel} FROM {stored} s WHERE s.{_id(stored_key or key)} ="
                          f" (SELECT {_id(key)} FROM {table} WHERE rec = {int(c.rec)}) LIMIT 1").fetchone()
        c.new, c.stored = dict(zip(cols, new)), dict(zip(cols, old))


# ---------------------------------------------------------------- telling the user

def shown(value) -> str:
    """A cell for a one-line message: quoted, shortened, control characters escaped."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    if len(text) > SHOWN_VALUE_MAX:
        text = text[: SHOWN_VALUE_MAX - 3] + "..."
    return "'" + text + "'"


def source_label(column: str, mapper) -> str:
    """The source column(s) a canonical column comes from, as the header writes them."""
    if column == "found_raw":  # the component findings: every list field and flag column
        lists = [mapper.column_label(f) for f in mapper.profile.fields.values()
                 if f.list is not None and any(mapper.col(c) for c in f.source_columns())]
        return "+".join(lists + [c for g in mapper.profile.flags for c in g.columns]) or column
    name = column[: -len("_items")] if column.endswith("_items") else column
    name = COLUMN_FIELD.get(name, name)
    spec = mapper.profile.fields.get(name)
    return mapper.column_label(spec) if spec is not None else name


def differing_cells(header: list[str], delimiter: str, raw_a: str | None, raw_b: str | None,
                    hidden: set[str]) -> list[tuple[str, str | None, str | None]]:
    """(column, cell a, cell b) for each header column whose cells differ between two raw records."""
    if raw_a is None or raw_b is None:
        return []
    try:
        a = next(csv.reader([raw_a], delimiter=delimiter))
        b = next(csv.reader([raw_b], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []
    out = []
    for i, name in enumerate(header):
        va = a[i].strip() if i < len(a) else None
        vb = b[i].strip() if i < len(b) else None
        if va != vb and name:
            out.append((name, None if name.lower() in hidden else va, None if name.lower() in hidden else vb))
    return out


def keep_column_hint(profile, column: str) -> str:
    """The mapping-file line that would keep ``column`` as part of the key (overdoses: the breakdown)."""
    if profile.kind != "overdoses":
        return "Map it to a field in a mapping file (docs/data-formats.md) to keep it"
    spec = profile.fields.get("breakdown")
    cols = (spec.source_columns() if spec is not None else []) + [column]
    if len(cols) == 1:
        line = f'breakdown = "{column}"'
    else:
        line = ("breakdown = { columns = [" + ", ".join(f'"{c}"' for c in cols) + "], separator = "
                + f'"{spec.separator}"' + " }")
    return f"To keep it, load with a mapping file (--profile) whose [fields] say: {line}"


def reject_rows(found: list[Conflict], where: dict, mapper) -> list[tuple]:
    """(line, source columns, reason, raw line) for each conflicting row; ``where`` maps rec -> (line, raw)."""
    rows = []
    for c in found:
        line, raw = where[c.rec]
        cols = "+".join(dict.fromkeys(source_label(x, mapper) for x in c.columns))
        if c.other_rec is not None:
            reason = f"same key as line {where[c.other_rec][0]} ({c.key}), different values"
        else:
            reason = f"same key as a row stored by load run {c.other_run} ({c.key}), different values"
        rows.append((line, cols, reason, raw))
    return rows


def first_sentence(c: Conflict, where: dict, header: list[str], delimiter: str, mapper, dropped: list[str],
                   unused: list[str]) -> str:
    """One sentence on a conflict: both lines (or the stored run), the key, the columns that differ and how.

    Within a file the two raw lines are compared cell by cell, so a column the profile does not use shows up
    too, with the mapping line that would keep it. Person-level and notes columns are named, never quoted."""
    hidden = {h.lower() for h in dropped}
    hidden |= {col.lower() for f in NEVER_SHOWN if f in mapper.profile.fields
               for col in mapper.profile.fields[f].source_columns()}
    line = where[c.rec][0]
    if c.other_rec is None:
        diffs = [f"{source_label(x, mapper)} (stored {shown(c.stored[x])}, now {shown(c.new[x])})"
                 if x in c.new else source_label(x, mapper) for x in c.columns]
        return (f"Line {line} has the key ({c.key}) of a row stored by load run {c.other_run} but differs in "
                + ", ".join(diffs) + ".")
    other_line, other_raw = where[c.other_rec]
    cells = differing_cells(header, delimiter, other_raw, where[c.rec][1], hidden)
    unknown = {u.lower() for u in unused}
    parts, hint = [], ""
    for name, a, b in cells:
        values = "" if a is None and b is None else f" ({shown(a)} vs {shown(b)})"
        if name.lower() in unknown:
            parts.append(f"{name}{values}, a column profile {mapper.profile.name} does not use")
            hint = hint or " " + keep_column_hint(mapper.profile, name) + "."
        else:
            parts.append(name + values)
    if not parts:
        parts = list(dict.fromkeys(source_label(x, mapper) for x in c.columns))
    return f"Lines {other_line} and {line} have the same key ({c.key}) but differ in " + "; ".join(parts) + "." + hint
