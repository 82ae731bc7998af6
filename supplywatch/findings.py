"""What FTIR and lab found in each sample, folded into four ``samples`` columns when the sample is loaded.

Expected vs found needs, per sample: the active classes found, the substances found, whether what the person
expected was found and whether something active they did not expect was. Folding a sample's detections once
at load time lets the page read one row per sample instead of grouping millions of detections on every view
(warehouse migration 4). The fold depends on the matching rule and the class list in
:mod:`supplywatch.classes`, so the warehouse records a fingerprint of the rule it used; when the code's rule
differs, or a sample was written without the fold, readers compute the same fold live instead
(:func:`is_current`) and the next write refreshes every sample (:func:`ensure`).
"""

from __future__ import annotations

import hashlib

import duckdb

from . import classes
from .sql_text import sql_literals

# Classes that are not psychoactive findings when asking "did they get something unexpected?".
NOT_ACTIVE = ("cut", "precursor", "placeholder", "unclassified")
COLUMNS = ("found_classes", "found_substances", "found_expected", "found_unexpected")
NOTHING_FOUND = ("0", "[]::VARCHAR[]", "false", "false")  # their values for a sample without FTIR/lab findings
META_KEY = "findings_rule"
FINDING_METHODS = ("ftir", "lab")  # strips answer one question each and are not "what was found"
NO_EXPECTATION = ("placeholder", "unclassified", "unknown")  # expected classes that name nothing to compare with


def class_slugs() -> list[str]:
    """Class slugs in a fixed order: bit i of ``found_classes`` is the i-th."""
    slugs = sorted(classes.CLASSES)
    if len(slugs) > 63:  # one signed BIGINT of bits
        raise ValueError(f"{len(slugs)} classes do not fit a 63-bit class mask")
    return slugs


def expects_sql(a: str) -> str:
    """SQL: the sample (alias ``a``) names a usable expectation (not unknown, unclassified or a placeholder)."""
    return (f"coalesce({a}.expected_substance, {a}.expected_class) IS NOT NULL"
            f" AND coalesce({a}.expected_class, '') NOT IN ({sql_literals(NO_EXPECTATION)})")


def match_sql(e: str = "s") -> tuple[str, str]:
    """SQL over detections ``d`` (the expectation read from alias ``e``): 'this finding is what was expected',
    and 'this finding is an active substance'."""
    hit = classes.expected_matches_sql(f"{e}.expected_substance", f"{e}.expected_class", "d.substance", "d.class")
    active = f"d.class NOT IN ({sql_literals(NOT_ACTIVE)})"
    return hit, active


def fold_sql(where: str = "TRUE") -> str:
    """SQL: one row per sample with FTIR/lab detections matching ``where`` (over alias ``d``): sample_no and
    the four folded columns. Each detection carries its sample's expectation (migration 3), so no join."""
    hit, active = match_sql("d")
    slugs = class_slugs()
    bit = (f"CAST(1 AS BIGINT) << (list_position([{sql_literals(slugs)}]::VARCHAR[], d.class) - 1)")
    findable = "d.substance IS NOT NULL AND d.class <> 'placeholder'"
    return f"""
        SELECT d.sample_no,
               coalesce(bit_or({bit}) FILTER (WHERE {active}), 0) AS found_classes,
               coalesce(list_sort(list_distinct(list(d.substance) FILTER (WHERE {findable}))),
                        []::VARCHAR[]) AS found_substances,
               coalesce(bool_or({hit}), false) AS found_expected,
               coalesce(bool_or({active} AND NOT coalesce({hit}, false)), false) AS found_unexpected
        FROM detections d
        WHERE d.method IN ({sql_literals(FINDING_METHODS)}) AND {where}
        GROUP BY d.sample_no"""


def fingerprint() -> str:
    """A short hash of the fold's SQL: it changes whenever the matching rule, class list or columns do."""
    return hashlib.sha256(fold_sql().encode()).hexdigest()[:16]


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every sample's folded columns were written by this code's rule (readers may use them)."""
    try:
        row = con.execute(
            f"SELECT (SELECT value FROM meta WHERE key = {sql_literals([META_KEY])}),"
            " EXISTS (SELECT 1 FROM samples WHERE found_classes IS NULL)"
        ).fetchone()
    except duckdb.Error:  # a file from before migration 4
        return False
    return row[0] == fingerprint() and not row[1]


def refresh(con: duckdb.DuckDBPyConnection, samples_where: str | None = None) -> None:
    """Recompute the folded columns of the samples matching ``samples_where`` (SQL over ``samples``), or of
    every sample, recording the rule's fingerprint after a full refresh."""
    scope = samples_where or "TRUE"
    inner = "TRUE" if samples_where is None else f"d.sample_no IN (SELECT sample_no FROM samples WHERE {scope})"
    values = ", ".join(f"coalesce(f.{c}, {v}) AS {c}" for c, v in zip(COLUMNS, NOTHING_FOUND))
    con.execute(f"""
        UPDATE samples SET {', '.join(f'{c} = n.{c}' for c in COLUMNS)}
        FROM (SELECT s.sample_no, {values} FROM samples s LEFT JOIN ({fold_sql(inner)}) f USING (sample_no)
              WHERE {scope}) n
        WHERE samples.sample_no = n.sample_no""")
    if samples_where is None:
        # delete then insert: a lake's meta has no primary key for INSERT OR REPLACE (supplywatch.lake)
        con.execute(f"DELETE FROM meta WHERE key = {sql_literals([META_KEY])}")
        con.execute(f"INSERT INTO meta VALUES ({sql_literals([META_KEY, fingerprint()])})")


def ensure(con: duckdb.DuckDBPyConnection) -> bool:
    """Refresh every sample when the stored fold is missing or from another rule; True if it ran."""
    if is_current(con):
        return False
    refresh(con)
    return True
