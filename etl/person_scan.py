"""The person-level step of a load: columns dropped by their name, values found by content (:mod:`etl.person_data`),
and what the run records of both."""

from __future__ import annotations

from supplywatch.db import sql_literals as lits

from . import person_data
from . import profiles as P
from .profiles import Profile
from .readers import CsvFile
from .result import LoadResult


def person_columns(csvf: CsvFile, prof: Profile) -> list[str]:
    """Header columns that hold person-level identifiers and are not deliberately ignored by the profile."""
    ignored = {c.lower() for c in prof.ignore_columns}
    return [h for h in csvf.header if h and P.is_person_column(h) and h.lower() not in ignored]


def targets(csvf: CsvFile, prof: Profile, person_named: set[int]) -> dict:
    """The columns the content scan looks at, and how (:func:`etl.person_data.scan_targets`)."""
    fields = {name: spec.source_columns() for name, spec in prof.fields.items()}
    return person_data.scan_targets(csvf.header, prof.kind, fields, person_named)


def hit_sql(csvf: CsvFile, prof: Profile, person_named: set[int]) -> str:
    """SQL the read computes per row: true when a scanned cell looks person-level (:func:`etl.person_data.hit_sql`)."""
    return person_data.hit_sql(targets(csvf, prof, person_named))


def scan_person_data(con, csvf: CsvFile, prof: Profile, person_named: set[int], res: LoadResult):
    """Find person-level values by content (etl.person_data) on the rows the read flagged; add the columns it
    drops to the run's record."""
    found = person_data.scan_raw(con, csvf.header, targets(csvf, prof, person_named))
    res.person_found = found
    labels = {h: person_data.column_label(h, i) for i, h in enumerate(csvf.header)}  # a header may be data
    res.unused_columns = [labels.get(c, c) for c in res.unused_columns if labels.get(c, c) not in found.dropped]
    if found.dropped:
        res.dropped_columns = res.dropped_columns + list(found.dropped)
        con.execute(f"UPDATE load_runs SET dropped_columns = {lits([res.dropped_columns])} WHERE run_id = {res.run_id}")
    return found
