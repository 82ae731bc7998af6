"""The guarded trim used for every cell gives exactly NULLIF(trim(cell), '') (it only skips trim where it is a no-op)."""

import duckdb
import pytest

from etl.load import list_items_sql, lits, trimmed

CELLS = [
    None, "", " ", "   ", "a", " a", "a ", "  a b  ", "\u00a0a", "a\u00a0", "\u3000Fentanyl\u3000", "a\u2009",
    "\u202fa", "\u1680", "é", " é ", "café", "\ta\t", "a\n", "\u200ba", "!", "!a ", "zz", "~", "\u00e9\u00a0",
]


@pytest.mark.parametrize("cell", CELLS)
def test_trimmed_equals_nullif_trim(cell):
    con = duckdb.connect()
    got, want = con.execute(f"SELECT {trimmed('x')}, NULLIF(trim(x), '') FROM (SELECT ({lits([cell])})::VARCHAR AS x)"
                            ).fetchone()
    assert got == want


@pytest.mark.parametrize("cell, items", [
    ("Caffeine; Fentanyl HCl ;;none", ["Caffeine", "Fentanyl HCl"]),
    ("\u00a0Heroin\u00a0; NONE ; \u3000", ["Heroin"]),
    (" ; ", []),
])
def test_list_items_trimmed(cell, items):
    con = duckdb.connect()
    assert con.execute(f"SELECT {list_items_sql('x', ';')} FROM (SELECT {lits([cell])} AS x)").fetchone()[0] == items
