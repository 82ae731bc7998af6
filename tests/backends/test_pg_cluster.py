"""The throwaway PostgreSQL server the backend tests use starts, answers psycopg and DuckDB, and restarts."""

import duckdb
import psycopg

from supplywatch import db


def test_psycopg_reaches_a_fresh_database(pg_cluster, pg_database):
    with psycopg.connect(pg_cluster.url(pg_database)) as con:
        con.execute("CREATE TABLE t (x int)")
        con.execute("INSERT INTO t VALUES (1), (2)")
        assert con.execute("SELECT sum(x) FROM t").fetchone() == (3,)


def test_duckdb_attaches_it_with_the_extension_from_the_installed_package(pg_cluster, pg_database):
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                             "extension_directory": str(db.EXTENSION_DIR)})
    con.execute("LOAD postgres")
    con.execute(f"ATTACH '{pg_cluster.dsn(pg_database)}' AS pg (TYPE postgres)")
    con.execute("CREATE TABLE pg.t AS SELECT * FROM range(5) r(x)")
    assert con.execute("SELECT sum(x) FROM pg.t").fetchone() == (10,)


def test_restart_keeps_the_data(pg_cluster, pg_database):
    pg_cluster.psql("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)", pg_database)
    pg_cluster.restart()
    assert pg_cluster.psql("SELECT x FROM kept", pg_database) == "7"
