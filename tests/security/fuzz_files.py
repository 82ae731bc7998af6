"""Hypothesis strategies for CSV-ish files that attack the loader, shared by the suite's fuzz and bench/fuzz_load.py.

A file is a header drawn from real column names (canonical samples, overdoses, alerts, person-level ones, nonsense),
rows of cells glued from awkward tokens (bad dates, quotes, delimiters, line breaks, formulas, control and
bidi characters, long text kept under a few KB, a planted email), then written in a drawn delimiter, line ending
and encoding, sometimes with a few bytes spliced in. Files stay small so that many run quickly.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from hypothesis import strategies as st

PLANTED_EMAIL = "jane.doe@example.org"

COLUMNS = [
    # samples
    "date", "sample_id", "site", "region", "expected", "sample_type", "form", "colour", "fentanyl_strip",
    "benzo_strip", "xylazine_strip", "ftir_components", "lab_components", "fentanyl_pct", "overdose_linked", "notes",
    # overdoses
    "period", "measure", "unit", "value", "substance", "breakdown",
    # alerts
    "alert_id", "type", "title", "text", "link", "source",
    # person-level, other, hostile
    "Nom", "Courriel", "Téléphone", "DOB", "PHN", "Contact", "Date", "Site", "", "x", "DATE", "é",
    PLANTED_EMAIL, '"quoted"', "a,b", "=SUM(A1)",
]
TOKENS = [
    "2024-01-01", "2024-02-31", "2024-13-01", "1900-01-01", "9999-12-31", "", " ", "positive", "negative", "pos",
    "invalid", "x", "yes", "0", "1", "-1", "100", "101", "12.5%", "1e309", "NaN", "inf", "1,204", "<5", "suppr.",
    "Fentanyl HCl;Caffeine", "['Fentanyl', 'Heroin']", "['a", "none", "Uncertain Match", "2024 Q1", "2024-W09",
    "deaths", "count", "rate", "https://example.org/a", "javascript:alert(1)", '"', '""', ",", ";", "\t", "|", "\n",
    "\r\n", "\r", "'", "\\", "\\N", "NULL", "é", "Montréal", "\ufeff", "\u202e", "\x1b[31m", "\x07", "=cmd|' /C calc'!A0",
    "+1", "@SUM(1)", "\u00a0", "😀", "x" * 300, PLANTED_EMAIL,
]
PLAIN = ["2024-01-01", "2024-03-15", "positive", "negative", "", "Fentanyl HCl;Caffeine", "12.5", "Main St",
         "North", "2024 Q1", "deaths", "count", "5", "Carfentanil found", "https://example.org/a", PLANTED_EMAIL]
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


def rarely(n: int):
    """True about once in ``n`` draws. Not integers(..) == 0: hypothesis draws the bounds of a range far more often."""
    return st.sampled_from([False] * (n // 2) + [True] + [False] * (n - n // 2 - 1))


@st.composite
def csv_files(draw) -> bytes:
    """Bytes of one CSV-ish file."""
    if draw(rarely(20)):  # now and then, bytes that are not text at all
        return draw(st.binary(min_size=0, max_size=300))
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8, unique=not draw(rarely(10))))
    if not draw(rarely(4)):  # most files name a date and a result, so they get past the header
        lead = ["date", draw(st.sampled_from(["fentanyl_strip", "ftir_components", "fentanyl_pct"]))]
        header = lead + [h for h in header if h.strip().lower() not in lead]
    # half the cells are one plain value, so that many rows get past the checks and into the warehouse
    cell = st.one_of(st.sampled_from(PLAIN), st.lists(st.sampled_from(TOKENS), min_size=0, max_size=3).map("".join))
    quoted = st.tuples(cell, st.integers(0, 3)).map(
        lambda c: '"' + c[0].replace('"', '""') + '"' if c[1] == 0 else c[0])
    width = len(header)
    row = st.one_of(st.lists(quoted, min_size=width, max_size=width),
                    st.lists(quoted, min_size=max(0, width - 2), max_size=width + 2))  # ragged rows now and then
    rows = draw(st.lists(row, min_size=0, max_size=12))
    text = newline.join([delim.join(header)] + [delim.join(r) for r in rows])
    if draw(st.booleans()):
        text += newline
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(rarely(10)):  # splice in a few raw bytes somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


PROFILES = st.sampled_from([None, None, None, "canonical_samples", "canonical_overdoses", "canonical_alerts",
                            "drugcheckingbc"])
REJECT_RATES = st.sampled_from([0.01, 0.5, 1.0])


# ---------------------------------------------------------------- the checks on one load

DATA_TABLES = {"samples": "samples", "overdoses": "overdose_events", "alerts": "alerts"}
COUNTED = ("samples", "detections", "overdose_events", "alerts", "load_runs", "rejects")
# published alerts keep the emails and phone numbers of services on purpose (etl/person_data.py)
PUBLISHED = {("alerts", "title"), ("alerts", "body")}


def look(db: Path) -> tuple[dict[str, int], dict[str, int]]:
    """(rows per table, 'table.column' -> texts holding the planted email), in one read-only connection.

    Opening the warehouse is itself a check. Published alert titles and texts are not searched (see PUBLISHED).
    """
    if not db.exists():
        return dict.fromkeys(COUNTED, 0), {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows, planted = {}, {}
        like = PLANTED_EMAIL.replace("'", "''")
        for table in COUNTED:
            cols = [c for c, ctype, *_ in con.execute(f"DESCRIBE {table}").fetchall()
                    if "VARCHAR" in ctype and (table, c) not in PUBLISHED]
            got = con.execute(f"SELECT count(*)" + "".join(
                f", count_if(CAST(\"{c}\" AS VARCHAR) LIKE '%{like}%')" for c in cols) + f" FROM {table}").fetchone()
            rows[table] = got[0]
            planted.update({f"{table}.{c}": n for c, n in zip(cols, got[1:]) if n})
        return rows, planted
    finally:
        con.close()


def check_load(path: Path, db: Path, profile: str | None, rate: float):
    """Load ``path`` through the real entry point and check what a user relies on; raise AssertionError if not.

    Any other exception escaping ``load_file`` is a traceback a user would see, so it is a failure too.
    """
    from etl import load

    before, planted_before = look(db)
    result = load.load_file(path, profile=profile, db=db, max_reject_rate=rate)
    assert result.status in ("loaded", "unchanged", "refused"), result.status
    assert result.message.startswith(path.name + ": "), result.message
    assert "\n" not in result.message and "\r" not in result.message, repr(result.message)
    assert "Traceback" not in result.message
    after, planted_after = look(db)
    grew = {t: after[t] - before[t] for t in COUNTED}
    if result.status == "loaded":
        table = DATA_TABLES[result.kind]
        assert grew[table] == result.rows_loaded, (grew, result)
        assert grew["load_runs"] == 1 and grew["rejects"] == result.rows_rejected, (grew, result)
        assert all(grew[t] == 0 for t in DATA_TABLES.values() if t != table), (grew, result)
    else:  # a refused file leaves no data rows: at most its run record and rejects
        assert all(grew[t] == 0 for t in ("samples", "detections", "overdose_events", "alerts")), (grew, result)
        assert grew["load_runs"] == (1 if result.status == "refused" and result.run_id else 0), (grew, result)
    stored = [c for c, n in planted_after.items() if n > planted_before.get(c, 0)]
    assert not stored, f"a planted email was stored in {stored}"
    return result
