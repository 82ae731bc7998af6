"""Alert files (alerts published elsewhere, loaded as data): the transform, with links parsed by the parser the
board and every channel use, and the insert of new alerts."""

from __future__ import annotations

import duckdb

from supplywatch import weblinks

from . import conflicts
from .checks import check, coarse_checks, create_t, date_check, source_sql
from .mapping import SEP, Mapper, q
from .staging import field_text


def transform(con, m: Mapper, src: str) -> None:
    checks: list[tuple[str, str]] = []
    date = date_check(m, "date", True, checks)
    coarse_checks(m, checks)
    title = field_text(m, "title")
    checks.append((check(f"{title} IS NULL", q("title is empty")), m.column_label(m.profile.fields["title"])))
    # links are parsed by the parser the board and every channel use (supplywatch.weblinks), not matched by a
    # pattern: one that could break out of markdown or HTML is not stored (the alert is kept without it)
    _register_public_link(con)
    safe_link = f"sw_public_link({field_text(m, 'link')})"
    aid = field_text(m, "alert_id")
    create_t(con, f"""
        SELECT rec, {source_sql(m, src)} AS source, {aid} AS aid,
               {date} AS issued_date, {field_text(m, 'region')} AS region, {field_text(m, 'type')} AS alert_type,
               {title} AS title, {field_text(m, 'text')} AS body, {safe_link} AS link {{checks}}
        FROM stage
    """, checks)


def _register_public_link(con) -> None:
    """Make ``sw_public_link(text)`` (weblinks.public_link: the link as published, or NULL) callable in SQL."""
    try:
        con.create_function("sw_public_link", weblinks.public_link, ["VARCHAR"], "VARCHAR",
                            null_handling="special", side_effects=False)
    except duckdb.NotImplementedException:  # already registered on this connection
        pass


def insert(con, run_id: int) -> tuple[int, int]:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE new AS
        SELECT coalesce(source || ':' || aid,
                        source || ':' || left(md5(concat_ws({q(SEP)}, issued_date::VARCHAR, coalesce(region, ''),
                                                           title)), 16)) AS alert_id, *
        FROM t WHERE err IS NULL
    """)
    valid = con.execute("SELECT count(*) FROM new").fetchone()[0]
    conflicts.check(con, "new", "alert_id", "coalesce(n.aid, concat_ws(', ', n.issued_date, n.region, n.title))",
                    stored="alerts")
    n = con.execute(f"""
        INSERT INTO alerts
        SELECT alert_id, source, issued_date, region, alert_type, title, body, link, {run_id}
        FROM new WHERE alert_id NOT IN (SELECT alert_id FROM alerts)
        QUALIFY row_number() OVER (PARTITION BY alert_id ORDER BY rec) = 1
        ORDER BY rec
    """).fetchone()[0]
    con.execute("DROP TABLE new")
    return n, valid - n
