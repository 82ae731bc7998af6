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


SAMPLE_HEAD = "sample_id,date,fentanyl_strip,ftir_components\n"
# FTIR cells that read the same (order, a placeholder) and ones that differ
FTIR = {"Fentanyl HCl;Caffeine": ("Caffeine", "Fentanyl HCl"), "Caffeine;Fentanyl HCl": ("Caffeine", "Fentanyl HCl"),
        "Fentanyl HCl;Uncertain Match;Caffeine": ("Caffeine", "Fentanyl HCl"), "Heroin": ("Heroin",)}
sample_row = st.tuples(st.sampled_from(["S1", "S2", "S3"]), st.sampled_from(["2024-02-01", "2024-13-01"]),
                       st.sampled_from(["positive", "negative"]), st.sampled_from(list(FTIR)))
sample_files = st.lists(sample_row, min_size=1, max_size=8)


def sample_model(rows, stored: dict) -> dict:
    """The same rules for samples with ids: the values are the strip and the FTIR findings as read."""
    first: dict = {}
    out = {"rejected": 0, "conflict": 0, "duplicate": 0, "new": {}}
    for sid, date, strip, ftir in rows:
        if date == "2024-13-01":
            out["rejected"] += 1
            continue
        v = (strip, FTIR[ftir])
        earlier = first.setdefault(sid, v)
        if earlier != v or (sid in stored and stored[sid] != v):
            out["conflict"] += 1
        elif sid in stored or sid in out["new"]:
            out["duplicate"] += 1
        else:
            out["new"][sid] = v
    return out


def stored_samples(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT s.sample_id, s.fentanyl_strip, list_sort(list(d.substance_raw)"
                           " FILTER (WHERE d.method = 'ftir')) FROM samples s JOIN detections d USING (sample_no)"
                           " GROUP BY ALL").fetchall()
    finally:
        con.close()
    return {sid.removeprefix("local:"): (strip, tuple(ftir)) for sid, strip, ftir in rows}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=sample_files, second=sample_files)
def test_every_sample_row_is_accounted_for_and_findings_decide_duplicates(first, second):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "w.duckdb"
        stored: dict = {}
        for run_id, rows in enumerate([first, second], start=1):
            rows = rows + [(f"Z{run_id}", "2024-02-01", "negative", "Heroin")]  # distinct bytes per file
            expected = sample_model(rows, stored)
            path = tmp / f"s{run_id}.csv"
            path.write_text(SAMPLE_HEAD + "".join(f'{s},{d},{st_},"{f}"\n' for s, d, st_, f in rows))
            result = load_file(path, db=db, max_reject_rate=1.0)
            assert (result.rows_read, result.rows_rejected, result.rows_conflict) == (
                len(rows), expected["rejected"], expected["conflict"])
            if expected["conflict"]:
                assert (result.status, result.rows_loaded) == ("refused", 0)
            else:
                assert result.status == "loaded"
                assert (result.rows_loaded, result.rows_duplicate) == (len(expected["new"]), expected["duplicate"])
                assert result.rows_read == (result.rows_loaded + result.rows_duplicate + result.rows_conflict
                                            + result.rows_rejected)
                stored.update(expected["new"])
            assert stored_samples(db) == stored
