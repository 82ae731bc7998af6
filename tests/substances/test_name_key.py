"""name_key / is_trace in Python and NAME_KEY_SQL / IS_TRACE_SQL in DuckDB give the same answers."""

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import substances


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect(":memory:")
    substances.register_functions(c)
    yield c
    c.close()


def sql_keys(con, names: list[str]) -> list[tuple[str, bool]]:
    """(key, is_trace) of each name computed by DuckDB, in input order."""
    key = substances.NAME_KEY_SQL.format(col="n")
    trace = substances.IS_TRACE_SQL.format(col="n")
    rows = con.execute(f"""
        SELECT {key}, {trace} FROM (
            SELECT i, l[i] AS n FROM (SELECT ?::VARCHAR[] AS l) CROSS JOIN range(1, len(l) + 1) r(i)
        ) ORDER BY i""", [names]).fetchall()
    return [(k, t) for k, t in rows]


MESSY = [
    # raw, key, trace
    ("Fentanyl HCl", "fentanyl hcl", False),
    ("Heroin (Trace)", "heroin", True),
    ("heroin(trace)", "heroin", True),
    ("  HEROIN   ( TRACE )  ", "heroin", True),
    ("Heroin (Trace) ", "heroin", True),
    ("Heroin\t(Trace)", "heroin", True),
    ("Heroin (traces)", "heroin (traces)", False),   # only the exact marker is a trace marker
    ("(Trace) Heroin", "(trace) heroin", False),     # the marker must be at the end
    ("Caffeine (Trace) (Trace)", "caffeine (trace)", True),  # one marker removed
    ("(Trace)", "", True),
    ("", "", False),
    ("   ", "", False),
    ("etizolam", "etizolam", False),
    ("Cocaine\r\nBase", "cocaine base", False),
    ("Cocaine\u00a0Base", "cocaine base", False),          # no-break space
    ("Cocaine\u2003\u2003Base", "cocaine base", False),    # em spaces
    ("Cocaine\x0bBase", "cocaine base", False),            # vertical tab: RE2's \s lacks it
    ("Cocaine\x1fBase", "cocaine base", False),            # unit separator counts as space in Python
    ("ＦＥＮＴＡＮＹＬ", "fentanyl", False),                # full-width letters, NFKC
    ("Kétamine", "kétamine", False),
    ("Ke\u0301tamine", "kétamine", False),                 # combining accent composes
    ("ﬂualprazolam", "flualprazolam", False),              # fl ligature
    ("α-PVP", "α-pvp", False),
    ("Δ9-THC (TRACE)", "δ9-thc", True),
    ("İsotonitazene", "i̇sotonitazene", False),            # Python's lower() of dotted capital I
    ("Fentanyl HCl\u3000(trace)", "fentanyl hcl", True),   # ideographic space
]


@pytest.mark.parametrize("raw, key, trace", MESSY)
def test_messy_names_python(raw, key, trace):
    assert substances.name_key(raw) == key
    assert substances.is_trace(raw) is trace


def test_messy_names_sql_agrees(con):
    assert sql_keys(con, [raw for raw, _, _ in MESSY]) == [(key, trace) for _, key, trace in MESSY]


def test_null_stays_null_in_sql_and_empty_in_python(con):
    key = substances.NAME_KEY_SQL.format(col="NULL::VARCHAR")
    assert con.execute(f"SELECT {key}").fetchone()[0] is None
    assert substances.name_key(None) == ""
    assert substances.is_trace(None) is False


def test_every_dictionary_name_keys_the_same(con, dictionary):
    names = [n for e in dictionary.substances.values() for n in (e.substance, *e.synonyms)]
    assert len(names) > 700
    assert sql_keys(con, names) == [(substances.name_key(n), substances.is_trace(n)) for n in names]


def test_every_bc_name_keys_the_same(con, bc_names):
    components, expected = bc_names
    names = sorted(components) + sorted(expected)
    assert sql_keys(con, names) == [(substances.name_key(n), substances.is_trace(n)) for n in names]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), min_size=1, max_size=20))
def test_random_text_keys_the_same(con, names):
    names = [n.replace("\x00", "") for n in names]
    assert sql_keys(con, names) == [(substances.name_key(n), substances.is_trace(n)) for n in names]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(
    st.builds(lambda a, ws, m: a + ws + m,
              st.text("abcHEROIN -()", max_size=12),
              st.text(" \t\x0b\x0c\r\n\x1c\x1f\u00a0", max_size=3),
              st.sampled_from(["", "(Trace)", "(trace )", "( TRACE)", "(tracE)", "trace", "(Trace) "])),
    min_size=1, max_size=20))
def test_trace_like_ascii_keys_the_same(con, names):
    assert sql_keys(con, names) == [(substances.name_key(n), substances.is_trace(n)) for n in names]


def test_key_is_idempotent_on_dictionary_names(dictionary):
    for key in dictionary.keys:
        assert substances.name_key(key) == key


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(min_codepoint=1, max_codepoint=127), max_size=25), min_size=1, max_size=30))
def test_random_ascii_keys_the_same(con, names):
    """ASCII names never reach the Python fallback, so this exercises the SQL regex paths themselves."""
    assert sql_keys(con, names) == [(substances.name_key(n), substances.is_trace(n)) for n in names]
