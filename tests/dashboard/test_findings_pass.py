"""Expected vs found, the class matrix, co-occurrence and positivity, computed in SQL from the
detections, against the definitions counted one sample at a time in Python on random small warehouses."""

import datetime as dt
from collections import Counter

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplywatch import classes, db, findings, metrics, schema
from supplywatch.filters import Filters

# (raw name, substance, class): repeats of one class, a cut, a placeholder and an unknown name on purpose
FINDINGS = [
    ("Fentanyl HCl", "fentanyl", "fentanyl"),
    ("Carfentanil", "carfentanil", "fentanyl"),
    ("Fentanyl or Analog", "fentanyl or analogue", "fentanyl"),
    ("Xylazine", "xylazine", "alpha2_sedative"),
    ("Bromazolam", "bromazolam", "benzodiazepine"),
    ("Caffeine", "caffeine", "cut"),
    ("Uncertain Match", None, "placeholder"),
    ("Zylazine?", None, "unclassified"),
]
# (expected_raw, expected_substance, expected_class)
EXPECTATIONS = [
    ("Fentanyl", "fentanyl", "fentanyl"),
    ("Down", None, "opioid_unspecified"),
    ("Benzo", None, "benzodiazepine"),
    ("Unknown", None, None),
    ("Mystery", None, "unclassified"),
]
START = dt.date(2026, 3, 1)

samples_strategy = st.lists(
    st.tuples(
        st.integers(0, len(EXPECTATIONS) - 1),         # expectation
        st.sampled_from(["North", "South"]),           # region
        st.integers(0, 13),                            # day
        st.booleans(),                                 # FTIR tested
        st.booleans(),                                 # lab tested
        st.sampled_from([None, "positive", "negative"]),  # fentanyl strip
        st.lists(st.tuples(st.integers(0, len(FINDINGS) - 1), st.sampled_from(["ftir", "lab"])), max_size=5),
    ),
    min_size=1, max_size=25,
)


def build(rows) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    db.migrate(con, schema.WAREHOUSE_MIGRATIONS)
    for i, (e, region, day, ftir, lab, strip, found) in enumerate(rows):
        sid = f"s{i}"
        raw, esub, ecls = EXPECTATIONS[e]
        con.execute("INSERT INTO samples (sample_id, source, collected_date, region, expected_raw, expected_substance,"
                    " expected_class, fentanyl_strip, ftir_tested, lab_tested, load_run_id)"
                    " VALUES (?, 't', ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    [sid, START + dt.timedelta(days=day), region, raw, esub, ecls, strip, ftir, lab])
        for k, method in found:
            if (method == "ftir" and ftir) or (method == "lab" and lab):  # findings only from methods used
                con.execute(schema.INSERT_DETECTION, [sid, method, *FINDINGS[k], False, True])
        if strip == "positive":
            con.execute(schema.INSERT_DETECTION, [sid, "fentanyl_strip", "fentanyl", "fentanyl", "fentanyl",
                                                  False, True])
    return con


def by_hand(rows, f: Filters, top: int):
    """The documented definitions, one sample at a time."""
    kept = []
    for e, region, day, ftir, lab, strip, found in rows:
        when = START + dt.timedelta(days=day)
        if (f.region and region != f.region) or (f.start and when < f.start) or (f.end and when > f.end):
            continue
        used = [FINDINGS[k] for k, m in found if (m == "ftir" and ftir) or (m == "lab" and lab)]
        kept.append((EXPECTATIONS[e], region, when, ftir or lab, strip, used))
    active = [x for x in classes.CLASSES if x not in findings.NOT_ACTIVE]
    match: dict = {}
    matrix: Counter = Counter()
    rank: Counter = Counter()
    for (_, esub, ecls), _, _, tested, _, used in kept:
        for sub in {sub for _, sub, cls in used if sub is not None and cls != "placeholder"}:
            rank[sub] += 1  # samples containing it
        for cls in {c for _, _, c in used if c in active}:
            matrix[(ecls or "?", cls)] += 1
        usable = (esub or ecls) is not None and (ecls or "") not in ("placeholder", "unclassified", "unknown")
        if tested and usable:
            hits = [classes.expected_matches(esub, ecls, s, c) for _, s, c in used]
            row = match.setdefault(esub or ecls, [0, 0, 0])
            row[0] += 1
            row[1] += any(hits)
            row[2] += any(c in active and not h for (_, _, c), h in zip(used, hits))
    names = [s for s, _ in sorted(rank.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    pairs: Counter = Counter()
    for *_, used in kept:
        present = sorted({s for _, s, _ in used if s in names})
        for a in present:
            for b in present:
                pairs[(a, b)] += 1
    fentanyl = (sum(1 for *_, t, strip, used in kept if t or strip in ("positive", "negative")),
                sum(1 for *_, t, strip, used in kept if strip == "positive" or any(c == "fentanyl" for *_, c in used)))
    return match, dict(matrix), dict(pairs), fentanyl


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=samples_strategy, region=st.sampled_from([None, "North"]), late=st.booleans())
def test_one_pass_views_equal_the_definitions(rows, region, late):
    f = Filters(region=region, start=START + dt.timedelta(days=7) if late else None)
    con = build(rows)
    match, matrix, pairs, fentanyl = by_hand(rows, f, top=3)
    assert not findings.is_current(con)  # samples written by hand, without the fold: counted live
    for path in ("live", "folded"):
        if path == "folded":
            findings.refresh(con)
            assert findings.is_current(con)
        got = metrics.expected_found(con, f, top=3)
        assert {r["expected"]: [r["n"], r["matched"], r["unexpected"]]
                for r in got["match"].to_dict("records")} == match, path
        assert {(r["expected_class"], r["found_class"]): r["n"] for r in got["matrix"].to_dict("records")} == matrix
        assert {(r["a"], r["b"]): r["n"] for r in got["pairs"].to_dict("records")} == pairs
    pos = metrics.positivity(con, f, ("fentanyl",), period=None)
    assert (int(pos["n"].sum()), int(pos["k"].sum())) == fentanyl
