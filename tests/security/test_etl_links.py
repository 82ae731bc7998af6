"""Links in alerts issued elsewhere are parsed at load time by the same parser as the board and every channel:
a link that could break out of markdown or HTML is not stored (the row is kept, without its link)."""

from pathlib import Path

import duckdb

from etl.load import load_file

DATA = Path(__file__).resolve().parent.parent / "data" / "security"


def test_alert_links_are_parsed_at_load_time(isolated_db):
    res = load_file(DATA / "alerts_links.csv")
    assert (res.status, res.rows_loaded, res.rows_rejected) == ("loaded", 3, 0)
    with duckdb.connect(str(isolated_db), read_only=True) as con:
        links = dict(con.execute("SELECT title, link FROM alerts").fetchall())
    assert links == {
        "Pixel advisory": None,                                   # markdown image injection
        "Good advisory": "https://example.org/advisory",          # scheme and host lower-cased
        "Script advisory": None,                                  # not http/https
    }
