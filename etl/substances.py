"""Installing the substance dictionary in the warehouse, re-mapping names loaded as unknown, listing unknown names.

The dictionary itself (``data/substances.csv``, :func:`name_key`, the SQL key, parsing and validation) is the
domain's: :mod:`supplywatch.dictionary`. Its names are re-exported here for existing callers. Unknown names are
never dropped: they stay as written with class 'unclassified' and are listed by :func:`unknown_names`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from supplywatch import db as sw_db
from supplywatch import findings, metrics
from supplywatch.db import sql_literals
from supplywatch.dictionary import (  # noqa: F401 (re-exported: the ETL's callers and tests import them from here)
    COLUMNS,
    DICTIONARY_PATH,
    IS_TRACE_SQL,
    NAME_KEY_SQL,
    REQUIRED_COLUMNS,
    Dictionary,
    DictionaryError,
    Entry,
    Match,
    combo_choice,
    is_trace,
    load_dictionary,
    name_key,
    normalise,
    parse_dictionary,
    register_functions,
)

# ---------------------------------------------------------------- the warehouse

def install_dictionary(con: duckdb.DuckDBPyConnection, path: str | Path | None = None,
                       reclassify_existing: bool = True) -> None:
    """(Re)fill ``substances`` and ``substance_names`` from the dictionary; re-map names loaded as unknown.

    Runs in the caller's transaction, if any. Every synonym and every canonical name
    gets a ``substance_names`` row; placeholders have substance NULL, is_placeholder true.
    """
    d = load_dictionary(path)
    register_functions(con)
    con.execute("DELETE FROM substance_names")
    con.execute("DELETE FROM substances")
    entries = list(d.substances.values())
    # one statement per table (executemany is a round trip per row: seconds for ~1,000 rows); literals, not
    # parameters: binding Python lists makes DuckDB import pandas (about a second on every load)
    if not entries:
        return
    con.execute("INSERT INTO substances (substance, class, high_risk, synonyms) VALUES "
                + ", ".join(f"({sql_literals([e.substance, e.cls, e.high_risk, list(e.synonyms)])})" for e in entries))
    names = list(d.keys.items())
    con.execute("INSERT INTO substance_names (name_key, substance, is_placeholder) VALUES "
                + ", ".join(f"({sql_literals([k, None if e.is_placeholder else e.substance, e.is_placeholder])})"
                            for k, e in names))
    if reclassify_existing:
        reclassify(con)


def install_dictionary_if_changed(con) -> None:
    """Refill the dictionary tables when data/substances.csv changed since the last load (its hash is in meta)."""
    path = Path(DICTIONARY_PATH)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
    if sw_db.get_meta(con, "dictionary_sha256") == digest:
        register_functions(con)
        return
    install_dictionary(con)
    sw_db.set_meta(con, "dictionary_sha256", digest)


def reclassify(con: duckdb.DuckDBPyConnection) -> int:
    """Re-map detections and expected names that were unknown at load time; return rows changed.

    After a name is added to the dictionary, its 'unclassified' detections get their
    substance and class (or are removed if it turned out to be a placeholder), and
    samples whose expected name was unknown get expected_substance/expected_class.
    """
    register_functions(con)
    # the only samples whose findings can change below: their folded columns are refreshed at the end
    con.execute("""
        CREATE OR REPLACE TEMP TABLE reclassified AS
        SELECT sample_no FROM detections WHERE class = 'unclassified'
        UNION SELECT sample_no FROM samples WHERE expected_class = 'unclassified'
    """)
    dkey = NAME_KEY_SQL.format(col="d.substance_raw")
    placeholders = con.execute(f"""
        DELETE FROM detections d USING substance_names n
        WHERE d.class = 'unclassified' AND n.name_key = {dkey} AND n.is_placeholder
    """).fetchone()[0]
    mapped = con.execute(f"""
        UPDATE detections d SET substance = s.substance, class = s.class
        FROM substance_names n JOIN substances s ON s.substance = n.substance
        WHERE d.class = 'unclassified' AND n.name_key = {dkey}
    """).fetchone()[0]
    skey = NAME_KEY_SQL.format(col="x.expected_raw")
    expected = con.execute(f"""
        UPDATE samples x SET expected_substance = s.substance, expected_class = s.class
        FROM substance_names n JOIN substances s ON s.substance = n.substance
        WHERE x.expected_class = 'unclassified' AND n.name_key = {skey}
    """).fetchone()[0]
    expected_ph = con.execute(f"""
        UPDATE samples x SET expected_substance = NULL, expected_class = NULL
        FROM substance_names n
        WHERE x.expected_class = 'unclassified' AND n.name_key = {skey} AND n.is_placeholder
    """).fetchone()[0]
    if expected or expected_ph:
        # detections carry a copy of their sample's expectation (warehouse migration 3): keep it equal
        con.execute("""
            UPDATE detections d SET expected_substance = x.expected_substance, expected_class = x.expected_class
            FROM samples x
            WHERE x.sample_no = d.sample_no AND (d.expected_class IS DISTINCT FROM x.expected_class
                                                 OR d.expected_substance IS DISTINCT FROM x.expected_substance)
        """)
    if placeholders or mapped or expected or expected_ph:
        findings.refresh(con, "sample_no IN (SELECT sample_no FROM reclassified)")
        # detections, expectations and the findings folded from them changed: every load-kept summary (first and
        # last seen, weekly positivity, expected vs found, unknown names ...) is rebuilt from what is stored now
        metrics.keep_summaries(con)
    con.execute("DROP TABLE reclassified")
    return placeholders + mapped + expected + expected_ph


def unknown_names(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Raw names the dictionary does not know, with the number of samples they occur in, most frequent first.

    Names of detections loaded as 'unclassified' (as written) and expected ("sold as") names with no dictionary
    entry; a sample counts once per name. The Data page lists the same names (supplywatch.metrics.unknown_substances).
    """
    register_functions(con)
    key = NAME_KEY_SQL.format(col="expected_raw")
    rows = con.execute(f"""
        SELECT name, count(DISTINCT sample_no) AS n FROM (
            SELECT substance_raw AS name, sample_no FROM detections WHERE class = 'unclassified'
            UNION ALL
            SELECT expected_raw, sample_no FROM samples
            WHERE expected_raw IS NOT NULL
              AND {key} NOT IN (SELECT name_key FROM substance_names)
        ) GROUP BY name ORDER BY n DESC, name
    """).fetchall()
    return [(name, int(n)) for name, n in rows]
