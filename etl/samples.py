"""Samples files: the transform (value checks, strips, component lists, flags, keys) and the insert of new samples
with their detections, in pieces of consecutive rows; the samples themselves are written by the findings fold
(:mod:`etl.fold`)."""

from __future__ import annotations

from supplywatch import classes, kept_summaries, metrics
from supplywatch.db import sql_literals as lits
from supplywatch.schema import DETECTION_SAMPLE_COLUMNS

from . import conflicts
from . import fold
from . import load_memory
from . import plausibility
from . import profiles as P
from . import substances
from .checks import check, coarse_checks, create_t, date_check, enum_field, number_field, quoted, source_sql
from .mapping import SEP, Mapper, list_items_sql, q
from .staging import as_written, field_text

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
# strip column -> (substance recorded, class) for a positive result, and the raw name stored: from the one strip
# table, supplywatch.classes.STRIPS
STRIP_TARGETS = {column: (strip.positive_substance, strip.positive_class) for column, strip in classes.STRIPS.items()}
STRIP_RAW = {column: strip.raw_name for column, strip in classes.STRIPS.items()}


def transform(con, m: Mapper, src: str) -> None:
    checks: list[tuple[str, str]] = []
    f = m.profile.fields
    date = date_check(m, "date", True, checks)
    coarse_checks(m, checks)
    checks += [(check(cond, reason), m.column_label(f["date"])) for cond, reason in plausibility.sample_date_checks(
        date, quoted(field_text(m, "date")), m.profile.service_start, plausibility.load_day())]
    strips = {s: enum_field(m, s, STRIP_VALUES, ["positive", "negative", "invalid"],
                       "a strip result (positive, negative, invalid or empty)", checks) for s in P.STRIPS}
    pct = number_field(m, "fentanyl_pct", checks, 0, 100)
    linked = enum_field(m, "overdose_linked", YESNO_VALUES, ["yes", "no"], "yes, no or empty", checks)
    stype = enum_field(m, "sample_type", SAMPLE_TYPE_VALUES, ["drug", "residue"], "drug or residue", checks)
    form = enum_field(m, "form", FORM_VALUES, list(dict.fromkeys(FORM_VALUES.values())), "", checks, unknown_to="other")
    lists = {}
    for name in P.LISTS:
        spec = f.get(name)
        if spec is None:
            continue
        text = field_text(m, name)
        lists[name] = (text, list_items_sql(text, spec.list, spec.values))
        if spec.list == "python":
            checks.append((check(f"{text} IS NOT NULL AND NOT regexp_full_match({text}, '\\s*\\[.*\\]\\s*', 's')",
                                  f"{quoted(text)} || ' is not a list like [''a'', ''b'']'"), m.column_label(spec)))
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
            checks.append((check(f"{n} IS NOT NULL AND {n} NOT IN ({known})",
                                  f"{quoted(n)} || {q(' is not a flag value (' + '/'.join(group.positive[:3]) + ' or ' + '/'.join(group.negative[:3]) + ')')}"),
                           col))
    results = [strips[s] for s in P.STRIPS if s in f] + [pct] + [lists[n][0] for n in lists] + flag_results
    checks.append((check(" AND ".join(f"{r} IS NULL" for r in results),
                          q("no result: every result cell is empty")),
                   "+".join([m.column_label(f[n]) for n in f if n in P.RESULT_FIELDS]
                            + [c for g in m.profile.flags for c in g.columns])))
    key_fields = m.profile.natural_key or [n for n in f if n not in ("sample_id", "notes", "source")]
    sid = field_text(m, "sample_id")
    # only rows without a sample_id use the natural key (hashing every row cost about 1 s CPU at 1M samples)
    key = (f"CASE WHEN {sid} IS NULL THEN md5(concat_ws(" + q(SEP) + ", "
           + ", ".join(f"coalesce({as_written(m, k)}, '')" for k in key_fields) + ")) END")
    list_cols = "".join(f", {sql} AS {n}_items" for n, (_, sql) in lists.items())
    create_t(con, f"""
        SELECT rec, {source_sql(m, src)} AS source, {sid} AS sid, {key} AS nkey,
               {date} AS collected_date, {field_text(m, 'site')} AS site, {field_text(m, 'region')} AS region,
               {field_text(m, 'expected')} AS expected_raw, {stype} AS sample_type, {form} AS form,
               {field_text(m, 'colour')} AS colour,
               {', '.join(f'{strips[s]} AS {s}' for s in P.STRIPS)},
               {' OR '.join(tested['ftir']) or 'false'} AS ftir_tested,
               {' OR '.join(tested['lab']) or 'false'} AS lab_tested,
               {pct} AS fentanyl_pct, ({linked}) = 'yes' AS overdose_linked, {field_text(m, 'notes')} AS notes
               {list_cols}{flag_cols} {{checks}}
        FROM stage
    """, checks)


def insert(con, run_id: int) -> tuple[int, int]:
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
    before = con.execute("SELECT coalesce(max(sample_no), 0) FROM samples").fetchone()[0]
    for lo in range(0, last + 1, step):
        n_new += _insert_piece(con, run_id, item_cols, lo, lo + step)
    con.execute("DROP TABLE IF EXISTS kn")
    for table in ("k", "expected_map", *(f"item_map{i}" for i in range(len(item_cols)))):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    if n_new:
        # Expected vs found's, Concentration's and Emerging's summaries once the pieces' staging is dropped: kept
        # per piece as well, they did not fit a 200,000-sample load under 100MB (tests/etl/test_load_memory.py)
        final = con.execute("SELECT max(sample_no) FROM samples").fetchone()[0]
        kept_summaries.add_load(con, before + 1, final, step)
    return n_new, valid - n_new


def _insert_piece(con, run_id: int, item_cols: list[str], lo: int, hi: int) -> int:
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
    # the samples last, each with its findings folded from the detections just written
    fold.insert_samples(con, run_id, first, final)
    con.execute("DROP TABLE ns")
    metrics.add_piece_to_summaries(con, first, final)  # the weekly and first/last-seen ones, in this transaction
    return n_new
