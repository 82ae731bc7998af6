"""Overdose files: the transform (periods parsed once per label, measures, units, suppressed values) and the
insert of new overdose events, keyed by what the event counts."""

from __future__ import annotations

from supplywatch.db import sql_literals as lits

from . import conflicts
from . import plausibility
from .checks import check, coarse_checks, create_t, enum_field, quoted, source_sql
from .mapping import SEP, Mapper, q
from .periods import PERIOD_HELP, parse_period, rolling
from .staging import as_written, field_text

MEASURES = ("deaths", "hospitalizations", "ed_visits", "ems", "non_fatal", "other")
UNIT_VALUES = {"count": "count", "number": "count", "n": "count", "rate": "rate", "percent": "percent", "%": "percent",
               "age-adjusted rate": "age_adjusted_rate", "age adjusted rate": "age_adjusted_rate"}
UNITS = ["count", "rate", "age_adjusted_rate", "percent"]  # an age-adjusted rate is never mixed with a crude one
DEFAULT_SUPPRESSED = ["suppr.", "suppr", "suppressed"]
DEFAULT_MISSING = ["", "na", "n/a", "..", "-", "null", "none"]


def transform(con, m: Mapper, src: str) -> None:
    checks: list[tuple[str, str]] = []
    f = m.profile.fields
    period_spec = f["period"]
    period_text = field_text(m, "period")
    label = m.column_label(period_spec)
    # Periods have few distinct labels: parse them in Python, join back.
    labels = [r[0] for r in con.execute(f"SELECT DISTINCT {period_text} FROM stage").fetchall() if r[0] is not None]
    parsed = [(lab, *p) for lab in labels if (p := parse_period(lab, period_spec.formats))]
    if period_spec.window:  # each label ends a rolling window of N months
        parsed = [(lab, *rolling(e, period_spec.window), "rolling") for lab, _s, e, _k in parsed]
    con.execute("CREATE OR REPLACE TEMP TABLE periods (label VARCHAR, s DATE, e DATE, ptype VARCHAR)")
    if parsed:
        con.execute("INSERT INTO periods VALUES " + ", ".join(f"({lits(p)})" for p in parsed))
    checks.append((check(f"{period_text} IS NULL", q("period is empty")), label))
    checks.append((check(f"{period_text} IS NOT NULL AND p.label IS NULL",
                          f"{quoted(period_text)} || {q(' is not a period (' + PERIOD_HELP + ')')}"), label))
    coarse_checks(m, checks)
    measure = enum_field(m, "measure", {}, list(MEASURES), "a measure (" + ", ".join(MEASURES) + ")", checks)
    checks.append((check(f"{measure} IS NULL", q("measure is empty")), m.column_label(f["measure"])))
    unit = enum_field(m, "unit", UNIT_VALUES, UNITS, "a unit (" + ", ".join(UNITS[:-1]) + " or " + UNITS[-1] + ")", checks)
    checks.append((check(f"{unit} IS NULL", q("unit is empty")), m.column_label(f["unit"])))
    vspec = f.get("value")
    vtext = as_written(m, "value")
    sup = [s.lower() for s in (vspec.suppressed if vspec and vspec.suppressed is not None else DEFAULT_SUPPRESSED)]
    mis = [s.lower() for s in (vspec.missing if vspec and vspec.missing is not None else DEFAULT_MISSING)]
    lv = f"lower(coalesce({vtext}, ''))"
    is_sup = f"({lv} IN ({', '.join(q(s) for s in sup) or 'NULL'}) OR regexp_full_match({lv}, '<\\s*[0-9]+'))"
    is_mis = f"({lv} IN ({', '.join(q(s) for s in mis) or 'NULL'}))"
    num = f"TRY_CAST(replace({vtext}, ',', '') AS DOUBLE) * {(vspec.scale if vspec else 1.0)!r}"
    if vspec:
        checks.append((check(f"NOT {is_sup} AND NOT {is_mis} AND {num} IS NULL",
                              f"{quoted(vtext)} || ' is not a number or a suppression marker'"),
                       m.column_label(vspec)))
        checks += [(check(f"NOT {is_sup} AND NOT {is_mis} AND {cond}", reason), m.column_label(vspec))
                   for cond, reason in plausibility.overdose_value_checks(num, unit, quoted(vtext))]
    create_t(con, f"""
        SELECT stage.rec, {source_sql(m, src)} AS source,
               {field_text(m, 'region')} AS region, {field_text(m, 'site')} AS site,
               p.s AS period_start, p.e AS period_end, {period_text} AS period_label, p.ptype AS period_type,
               {measure} AS measure, {field_text(m, 'substance')} AS substance, {field_text(m, 'breakdown')} AS breakdown,
               {unit} AS unit,
               CASE WHEN {is_sup} OR {is_mis} THEN NULL ELSE {num} END AS value,
               coalesce({is_sup}, false) AS suppressed,
               CASE WHEN {num} IS NULL THEN {vtext} END AS value_label {{checks}}
        FROM stage LEFT JOIN periods p ON p.label = {period_text}
    """, checks)
OVERDOSE_KEY_LABEL = "concat_ws(', ', n.region, n.site, n.period_label, n.measure, n.substance, n.breakdown, n.unit)"


def insert(con, run_id: int) -> tuple[int, int]:
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
