"""Property: every row of a loaded file is accounted for, and a conflict is never counted as a duplicate.

A refused file stores nothing; its conflicts and rejects are counted exactly, its other rows were not loaded.

For generated overdose files with repeated keys (identical or not), bad values and rows already stored, the load
agrees with a model written here from the rules in docs/data-formats.md ("Keys, duplicates and conflicts"):

    rows read = loaded + duplicates skipped + conflicts + rejected + skipped by a rule

and a file with any conflict is refused with nothing stored.
"""

import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.load import load_file

HEAD = "period,region,measure,unit,value\n"
# one count written in several ways that read the same, and other counts
VALUES = {"1000": 1000.0, "1,000": 1000.0, " 1000 ": 1000.0, "7": 7.0, "8": 8.0, "<5": None, "Suppr.": None}
BAD = ["many", "-2", "2.5"]  # rejected: not a number, a negative count, a fractional count

row = st.tuples(st.sampled_from(["2024-01", "2024-02", "2024-03"]), st.sampled_from(["North", "South"]),
                st.sampled_from(list(VALUES) + BAD))
files = st.lists(row, min_size=1, max_size=12)


def canonical(value: str):
    """What a value cell means once read: (number, suppressed marker as written) or None when rejected."""
    if value in BAD:
        return None
    return (VALUES[value], value if VALUES[value] is None else None)


def model(rows, stored: dict) -> dict:
    """The rules: first row of a key in the file is kept; later equal rows and rows equal to a stored row are
    duplicates; a row whose key is held with other values (earlier in the file, or stored) is a conflict."""
    first: dict = {}
    out = {"rejected": 0, "conflict": 0, "duplicate": 0, "new": {}}
    for period, region, value in rows:
        v = canonical(value)
        if v is None:
            out["rejected"] += 1
            continue
        key = (period, region)
        earlier = first.setdefault(key, v)
        if earlier != v or (key in stored and stored[key] != v):
            out["conflict"] += 1
        elif key in stored or key in out["new"]:
            out["duplicate"] += 1
        else:
            out["new"][key] = v
    return out


def write(path: Path, rows) -> Path:
    path.write_text(HEAD + "".join(f'{p},{r},deaths,count,"{v}"\n' for p, r, v in rows))
    return path


def counts(db: Path, run_id: int):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT status, rows_read, rows_loaded, rows_duplicate, rows_conflict, rows_rejected,"
                           f" rows_skipped FROM load_runs WHERE run_id = {run_id}").fetchone(), \
            dict(((p, r), (v, lab)) for p, r, v, lab in con.execute(
                "SELECT period_label, region, value, CASE WHEN suppressed THEN value_label END"
                " FROM overdose_events").fetchall())
    finally:
        con.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=files, second=files)
def test_every_row_is_loaded_skipped_conflicting_or_rejected(first, second):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "w.duckdb"
        stored: dict = {}
        for run_id, rows in enumerate([first, second], start=1):
            # a run number per file: the same bytes twice would be answered 'unchanged' without a run
            result = load_file(write(tmp / f"f{run_id}.csv", rows + [(f"2023-0{run_id}", "East", "7")]), db=db,
                               max_reject_rate=1.0)
            expected = model(rows + [(f"2023-0{run_id}", "East", "7")], stored)
            (status, read, loaded, dup, conflict, rejected, skipped), table = counts(db, run_id)
            assert read == len(rows) + 1
            assert (rejected, conflict, skipped) == (expected["rejected"], expected["conflict"], 0)
            assert result.rows_conflict == conflict
            if conflict:  # refused: nothing stored, the conflicts counted and listed
                assert (status, loaded, dup) == ("refused", 0, 0)
                assert result.message.startswith(f"f{run_id}.csv: refused, {conflict} rows have the key of another"
                                                 " row but other values")
            else:
                assert status == "loaded"
                assert read == loaded + dup + conflict + rejected + skipped
                assert (loaded, dup) == (len(expected["new"]), expected["duplicate"])
                stored.update(expected["new"])
            assert table == stored
