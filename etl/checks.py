"""Checks: the value checks every kind shares, written as SQL that names the first failing reason per row.

A check is ``(condition SQL giving a reason or NULL, column label)``; :func:`create_t` builds the checked temp
table ``t`` with ``err`` (the first reason) and ``err_col`` (the column it names). A reason quotes the bad value,
shortened, unless it looks like person-level data.
"""

from __future__ import annotations

from . import person_data
from . import plausibility
from .mapping import Mapper, q
from .staging import field_text


def check(cond: str, reason_sql: str) -> str:
    return f"CASE WHEN {cond} THEN {reason_sql} END"


def quoted(expr: str) -> str:
    """SQL producing 'value' in quotes, shortened, for a reason text; a person-level value is withheld."""
    return (f"CASE WHEN regexp_matches({expr}, {q(person_data.ANY)}) THEN {q(person_data.WITHHELD)}"
            f" ELSE '''' || left({expr}, 80) || '''' END")


def first_error(checks: list[tuple[str, str]]) -> tuple[str, str, str]:
    """SQL for the check columns (inner select), the first failing reason, and the column it names (outer)."""
    if not checks:
        return "", "NULL::VARCHAR", "NULL::VARCHAR"
    inner = "".join(f", {c} AS e{i}" for i, (c, _) in enumerate(checks))
    names = [f"e{i}" for i in range(len(checks))]
    reason = f"coalesce({', '.join(names)})" if len(names) > 1 else names[0]
    col = "CASE " + " ".join(f"WHEN e{i} IS NOT NULL THEN {q(label)}" for i, (_, label) in enumerate(checks)) + " END"
    return inner, reason, col


def create_t(con, select_sql: str, checks: list[tuple[str, str]]) -> None:
    """CREATE temp table t from ``select_sql`` (which ends with {checks} before FROM), adding err and err_col."""
    inner, reason, col = first_error(checks)
    drop = f" EXCLUDE ({', '.join(f'e{i}' for i in range(len(checks)))})" if checks else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE t AS SELECT *{drop}, {reason} AS err, {col} AS err_col"
                f" FROM ({select_sql.replace('{checks}', inner)})")


def coarse_checks(m: Mapper, checks: list) -> None:
    """Reject rows whose code cannot be coarsened; the reason does not quote the code (it may be a postcode)."""
    for name, spec in m.profile.fields.items():
        if spec.postcode:
            why = "not a postcode (UK or Canadian); the value is not stored"
        elif spec.lookup is not None:
            why = f"not in the lookup file {spec.lookup_file}; the value is not stored"
        else:
            continue
        checks.append((check(f"r_{name} IS NOT NULL AND b_{name} IS NULL", q(why)), m.column_label(spec)))


def date_check(m: Mapper, name: str, required: bool, checks: list) -> str:
    spec = m.profile.fields[name]
    raw = field_text(m, name)
    fmts = "[" + ", ".join(q(f) for f in spec.formats) + "]"
    parsed = f"try_strptime({raw}, {fmts})::DATE"
    label = m.column_label(spec)
    shown = " or ".join(spec.formats)
    for directive, text in (("%Y", "YYYY"), ("%y", "YY"), ("%m", "MM"), ("%d", "DD"), ("%B", "March"), ("%b", "Mar"),
                            ("%H", "hh"), ("%M", "mm"), ("%S", "ss")):
        shown = shown.replace(directive, text)
    if "%b" in "".join(spec.formats).lower():
        shown += "; month names in English"
    if required:
        checks.append((check(f"{raw} IS NULL", q(f"{name} is empty")), label))
    checks.append((check(f"{raw} IS NOT NULL AND {parsed} IS NULL",
                          f"'bad date ' || {quoted(raw)} || {q(f' (expected {shown})')}"), label))
    return parsed


def enum_field(m: Mapper, name: str, synonyms: dict[str, str], allowed: list[str], what: str, checks: list,
          unknown_to: str | None = None) -> str:
    spec = m.profile.fields.get(name)
    if spec is None:
        return "NULL::VARCHAR"
    text = field_text(m, name)
    whens = " ".join(f"WHEN {q(k)} THEN {q(v)}" for k, v in synonyms.items())
    canon = f"NULLIF(CASE lower({text}) {whens} ELSE lower({text}) END, '')" if whens else f"lower({text})"
    ok = "(" + ", ".join(q(a) for a in allowed) + ")"
    if unknown_to is not None:
        return f"CASE WHEN {canon} IN {ok} THEN {canon} WHEN {canon} IS NULL THEN NULL ELSE {q(unknown_to)} END"
    checks.append((check(f"{canon} IS NOT NULL AND {canon} NOT IN {ok}",
                          f"{quoted(text)} || {q(' is not ' + what)}"), m.column_label(spec)))
    return canon


def number_field(m: Mapper, name: str, checks: list, lo: float | None, hi: float | None) -> str:
    spec = m.profile.fields.get(name)
    if spec is None:
        return "NULL::DOUBLE"
    text = field_text(m, name)
    num = f"(TRY_CAST(replace(replace({text}, '%', ''), ',', '') AS DOUBLE) * {spec.scale!r})"
    label = m.column_label(spec)
    checks.append((check(f"{text} IS NOT NULL AND {num} IS NULL", f"{quoted(text)} || ' is not a number'"),
                   label))
    cond, reason = plausibility.finite_check(num, quoted(text))
    checks.append((check(cond, reason), label))
    if lo is not None:
        checks.append((check(f"{num} < {lo} OR {num} > {hi}",
                              f"{quoted(text)} || {q(f' is outside {lo:g}-{hi:g}')}"), label))
    return num


def source_sql(m: Mapper, src: str) -> str:
    spec = m.profile.fields.get("source")
    return f"coalesce({field_text(m, 'source')}, {q(src)})" if spec else q(src)
