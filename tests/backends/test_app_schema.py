"""Both app-state backends hold the same schema from the same migrations, and the adapter's placeholder translation
leaves quoted text alone."""

from __future__ import annotations

import pytest

from supplywatch import app_postgres, db, schema

# information_schema's data_type on each engine for the types the app migrations use
PG_TYPE = {"character varying": "VARCHAR", "ARRAY": "VARCHAR[]", "timestamp without time zone": "TIMESTAMP",
           "boolean": "BOOLEAN", "integer": "INTEGER", "bigint": "BIGINT"}


def columns(where) -> list[tuple[str, str, str, str]]:
    with db.app_store(where) as con:
        rows = con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position", []).fetchall()
    return [(t, c, PG_TYPE.get(ty, ty), n) for t, c, ty, n in rows]


def test_same_tables_columns_types_and_nullability_on_both(tmp_path, pg_cluster, pg_database):
    on_file, on_pg = columns(tmp_path / "app.duckdb"), columns(pg_cluster.url(pg_database))
    assert on_pg == on_file
    assert len({t for t, *_ in on_file}) == 14  # meta and the 13 app tables
    with db.app_store(pg_cluster.url(pg_database)) as con:
        assert db.schema_version(con) == len(schema.APP_MIGRATIONS)
        assert con.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'one_published_version'").fetchone() == (
            "CREATE UNIQUE INDEX one_published_version ON public.alert_versions USING btree (alert_id)"
            " WHERE ((status)::text = 'published'::text)",)


def test_two_servers_migrating_a_new_database_at_once_both_succeed(pg_cluster, pg_database):
    import threading

    errors = []

    def start():
        try:
            with db.app_store(pg_cluster.url(pg_database)):
                pass
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert pg_cluster.psql("SELECT value FROM meta WHERE key = 'schema_version'", pg_database) == str(
        len(schema.APP_MIGRATIONS))


@pytest.mark.parametrize("sql, expected", [
    ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = %s AND b = %s"),
    ("SELECT '?' || ?, 'it''s ?'", "SELECT '?' || %s, 'it''s ?'"),
    ('SELECT "wh?y" FROM t WHERE x LIKE \'50%\' AND y = ?', 'SELECT "wh?y" FROM t WHERE x LIKE \'50%%\' AND y = %s'),
    ("SELECT 1 -- what? 100%\n, ?", "SELECT 1 -- what? 100%%\n, %s"),
    ("SELECT a % ? FROM t", "SELECT a %% %s FROM t"),
])
def test_placeholders_outside_quotes_and_comments(sql, expected):
    assert app_postgres.placeholders(sql) == expected


def test_an_aware_time_is_stored_as_utc_whatever_the_servers_zone(pg_cluster, pg_database):
    import datetime as dt

    pg_cluster.psql(f"ALTER DATABASE \"{pg_database}\" SET timezone = 'America/Vancouver'")
    at = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with db.app_store(pg_cluster.url(pg_database)) as con:
        con.execute("INSERT INTO staff_sessions VALUES ('h', 'ticket', 'rae', NULL, ?, ?, ?)", [at, at, at])
        assert con.execute("SELECT created_at FROM staff_sessions").fetchone() == (dt.datetime(2026, 11, 27, 8, 0),)
