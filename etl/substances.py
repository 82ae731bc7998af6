"""The substance dictionary: raw names as services write them -> canonical substance and class.

``data/substances.csv`` holds one row per canonical substance (plus class-level
entries such as 'unknown opioid' and placeholders such as 'uncertain match') with
its raw-name synonyms. Every name is compared by :func:`name_key`; loads do the same
in SQL with :data:`NAME_KEY_SQL` and a join on ``substance_names``, so the two must
agree exactly (tested). Unknown names are never dropped: they stay as written with
class 'unclassified' and are listed by :func:`unknown_names`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb

from supplywatch import classes, csv_table, findings

DICTIONARY_PATH = Path(__file__).resolve().parent.parent / "data" / "substances.csv"
COLUMNS = ("substance", "class", "high_risk", "label_en", "label_fr", "synonyms")
REQUIRED_COLUMNS = ("substance", "class", "high_risk", "synonyms")

# ---------------------------------------------------------------- the key

# Whitespace that name_key collapses to one space. Python's str.isspace() set, spelled
# out, because DuckDB's regex (RE2) \s is narrower; after NFKC most of these are spaces.
_WS_CODEPOINTS = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, *range(0x1C, 0x21), 0x85, 0xA0, 0x1680,
                  *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
_WS_ASCII_NOT_SPACE = "".join(f"\\x{cp:02x}" for cp in _WS_CODEPOINTS if cp < 0x80 and cp != 0x20)
_WS_ASCII = f"[{_WS_ASCII_NOT_SPACE}\\x20]+"
_WS_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _WS_CODEPOINTS) + "]+")
_TRACE_RE = re.compile(r" ?\( ?trace ?\)$")
_TRACE_SQL_RE = r" ?\( ?trace ?\)$"
_UDF_KEY = "sw_name_key"
_UDF_TRACE = "sw_is_trace"


def _collapsed(raw: str | None) -> str:
    """NFKC, lower case, whitespace runs -> one space, trimmed: the key before the trace marker goes."""
    if raw is None:
        return ""
    s = unicodedata.normalize("NFKC", str(raw)).lower()
    return _WS_RE.sub(" ", s).strip(" ")


def name_key(raw: str | None) -> str:
    """The comparison key of a raw name: NFKC, lower case, trimmed, whitespace collapsed, no '(trace)' suffix."""
    return _TRACE_RE.sub("", _collapsed(raw)).strip(" ")


def is_trace(raw: str | None) -> bool:
    """True when the raw name ends with a '(Trace)' marker (any case or spacing)."""
    return _TRACE_RE.search(_collapsed(raw)) is not None


def _ascii_collapsed_sql(col: str) -> str:
    return f"trim(regexp_replace(lower({col}), '{_WS_ASCII}', ' ', 'g'), ' ')"


# Three paths, cheapest first: a non-ASCII name (bytes != characters) goes through name_key
# itself as a UDF (NFKC has no DuckDB equivalent; registered by register_functions); an
# ASCII name with nothing to collapse, trim or strip (no odd whitespace, no double or edge
# space, no closing parenthesis at the end) is just lower-cased; the rest get the regexes.
_NEEDS_WORK = f"[{_WS_ASCII_NOT_SPACE}]|  |^ | $|\\)$"
NAME_KEY_SQL = (
    f"(CASE WHEN strlen({{col}}) <> length({{col}}) THEN {_UDF_KEY}({{col}}) "
    f"WHEN regexp_matches({{col}}, '{_NEEDS_WORK}') THEN "
    "trim(regexp_replace(" + _ascii_collapsed_sql("{col}") + f", '{_TRACE_SQL_RE}', ''), ' ') "
    "ELSE lower({col}) END)"
)
IS_TRACE_SQL = (
    f"(CASE WHEN strlen({{col}}) <> length({{col}}) THEN {_UDF_TRACE}({{col}}) "
    "ELSE regexp_matches(" + _ascii_collapsed_sql("{col}") + f", '{_TRACE_SQL_RE}') END)"
)


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Make NAME_KEY_SQL / IS_TRACE_SQL usable on ``con`` (registers the non-ASCII fallbacks; repeat calls are no-ops)."""
    for name, fn, result in ((_UDF_KEY, name_key, str), (_UDF_TRACE, is_trace, bool)):
        try:
            con.create_function(name, fn, [str], result, null_handling="default", side_effects=False)
        except duckdb.NotImplementedException as exc:  # DuckDB's word for "already registered"
            if "already created" not in str(exc):
                raise


# ---------------------------------------------------------------- the dictionary

class DictionaryError(ValueError):
    """The dictionary file is malformed; the message names the file, line and column."""


@dataclass(frozen=True)
class Entry:
    """One canonical row of the dictionary."""

    substance: str
    cls: str
    high_risk: bool
    label_en: str
    label_fr: str
    synonyms: tuple[str, ...]
    line: int

    @property
    def is_placeholder(self) -> bool:
        return self.cls == "placeholder"

    def label(self, lang: str = "en") -> str:
        """Display name in ``lang``: label_fr (French only), else label_en ('MDMA', 'U-47700'), else the canonical name."""
        if lang == "fr" and self.label_fr:
            return self.label_fr
        return self.label_en or self.substance


@dataclass(frozen=True)
class Match:
    """What a raw name means: canonical substance (None for placeholders/unknown), class, flags."""

    substance: str | None
    cls: str
    is_trace: bool
    is_placeholder: bool
    known: bool


@dataclass
class Dictionary:
    """Canonical entries by name and every name key -> entry."""

    path: Path
    substances: dict[str, Entry]
    keys: dict[str, Entry]

    def normalise(self, raw: str | None) -> Match:
        """Map one raw name; unknown names come back as class 'unclassified', known False."""
        entry = self.keys.get(name_key(raw))
        trace = is_trace(raw)
        if entry is None:
            return Match(None, "unclassified", trace, False, False)
        if entry.is_placeholder:
            return Match(None, "placeholder", trace, True, True)
        return Match(entry.substance, entry.cls, trace, False, True)


def _err(path: Path, line: int, column: str | None, msg: str) -> DictionaryError:
    return csv_table.cell_error(DictionaryError, path, line, column, msg)


def parse_dictionary(path: Path) -> Dictionary:
    """Read and validate a dictionary CSV; raise DictionaryError naming the line of the first problem."""
    substances: dict[str, Entry] = {}
    keys: dict[str, Entry] = {}
    for line, cells in csv_table.rows(path, COLUMNS, REQUIRED_COLUMNS, "substance dictionary", DictionaryError,
                                      "quote names with commas"):

        def cell(name: str) -> str:
            return cells.get(name, "").strip()

        substance = cell("substance")
        if not substance:
            raise _err(path, line, "substance", "empty canonical name")
        if name_key(substance) != substance:
            raise _err(path, line, "substance",
                       f"canonical name {substance!r} must be written as its key {name_key(substance)!r}")
        if substance in substances:
            raise _err(path, line, "substance",
                       f"{substance!r} is listed twice (first on line {substances[substance].line})")
        cls = cell("class")
        if cls == "unclassified":
            raise _err(path, line, "class", "class 'unclassified' marks names missing from the dictionary; pick a class")
        if cls not in classes.CLASSES:
            allowed = ", ".join(s for s in classes.CLASSES if s != "unclassified")
            raise _err(path, line, "class", f"unknown class {cls!r} (expected one of {allowed})")
        flag = cell("high_risk").lower()
        if flag not in ("true", "false"):
            raise _err(path, line, "high_risk", f"{cell('high_risk')!r} is not true or false")
        if cell("label_en") and name_key(cell("label_en")) != substance:
            raise _err(path, line, "label_en",
                       f"{cell('label_en')!r} must be {substance!r} in other letter case (put other names in synonyms)")
        synonyms = tuple(s.strip() for s in cells["synonyms"].split("|")) if cells["synonyms"] else ()
        entry = Entry(substance, cls, flag == "true", cell("label_en"), cell("label_fr"), synonyms, line)
        substances[substance] = entry
        for name in (substance, *synonyms):
            key = name_key(name)
            other = keys.get(key)
            if other is not None and other is not entry:
                raise _err(path, line, "synonyms",
                           f"name {name!r} (key {key!r}) already maps to {other.substance!r} on line {other.line}")
            keys[key] = entry
    if not substances:
        raise _err(path, 1, None, "no substances listed")
    return Dictionary(path, substances, keys)


def load_dictionary(path: str | Path | None = None) -> Dictionary:
    """The validated dictionary (``data/substances.csv`` by default), re-read when the file changes."""
    return csv_table.load(path, DICTIONARY_PATH, parse_dictionary, DictionaryError, "substance dictionary")


def normalise(raw: str | None, path: str | Path | None = None) -> Match:
    """Map one raw name with the default (or given) dictionary; for Python callers, not bulk loads."""
    return load_dictionary(path).normalise(raw)


# ---------------------------------------------------------------- combinations

_COMBO_SPLIT = re.compile(r"\s+(?:and|with|&|\+)\s+|\s*[+&/]\s*", re.IGNORECASE)


def combo_choice(raw: str, dictionary: Dictionary | None = None) -> str | None:
    """The canonical substance a combination like 'Fentanyl and Heroin' stands for, None if a part is unknown.

    Rule: the most dangerous part wins: earliest class in classes.SUBSTANCE_CLASSES
    (fentanyl, nitazene, other opioids, alpha-2 sedatives, benzodiazepines ...), then a
    high-risk part, then the part written first.
    """
    d = dictionary or load_dictionary()
    parts = [p for p in _COMBO_SPLIT.split(raw) if p.strip()]
    if len(parts) < 2:
        return None
    entries = []
    for pos, part in enumerate(parts):
        entry = d.keys.get(name_key(part))
        if entry is None or entry.cls not in classes.SUBSTANCE_CLASSES:
            return None
        entries.append((classes.SUBSTANCE_CLASSES.index(entry.cls), not entry.high_risk, pos, entry.substance))
    return min(entries)[3]


# ---------------------------------------------------------------- the warehouse

def install_dictionary(con: duckdb.DuckDBPyConnection, path: str | Path | None = None,
                       reclassify_existing: bool = True) -> None:
    """(Re)fill ``substances`` and ``substance_names`` from the dictionary; re-map names loaded as unknown.

    Runs in the caller's transaction, if any. Every synonym and every canonical name
    gets a ``substance_names`` row; placeholders have substance NULL, is_placeholder true.
    """
    d = load_dictionary(path)
    register_functions(con)
    con.execute("DELETE FROM substance_names")
    con.execute("DELETE FROM substances")
    entries = list(d.substances.values())
    # one statement per table (executemany is a round trip per row: seconds for ~1,000 rows); literals, not
    # parameters: binding Python lists makes DuckDB import pandas (about a second on every load)
    from .load import lits

    if not entries:
        return
    con.execute("INSERT INTO substances (substance, class, high_risk, synonyms) VALUES "
                + ", ".join(f"({lits([e.substance, e.cls, e.high_risk, list(e.synonyms)])})" for e in entries))
    names = list(d.keys.items())
    con.execute("INSERT INTO substance_names (name_key, substance, is_placeholder) VALUES "
                + ", ".join(f"({lits([k, None if e.is_placeholder else e.substance, e.is_placeholder])})"
                            for k, e in names))
    if reclassify_existing:
        reclassify(con)


def reclassify(con: duckdb.DuckDBPyConnection) -> int:
    """Re-map detections and expected names that were unknown at load time; return rows changed.

    After a name is added to the dictionary, its 'unclassified' detections get their
    substance and class (or are removed if it turned out to be a placeholder), and
    samples whose expected name was unknown get expected_substance/expected_class.
    """
    register_functions(con)
    # the only samples whose findings can change below: their folded columns are refreshed at the end
    con.execute("""
        CREATE OR REPLACE TEMP TABLE reclassified AS
        SELECT sample_no FROM detections WHERE class = 'unclassified'
        UNION SELECT sample_no FROM samples WHERE expected_class = 'unclassified'
    """)
    dkey = NAME_KEY_SQL.format(col="d.substance_raw")
    placeholders = con.execute(f"""
        DELETE FROM detections d USING substance_names n
        WHERE d.class = 'unclassified' AND n.name_key = {dkey} AND n.is_placeholder
    """).fetchone()[0]
    mapped = con.execute(f"""
        UPDATE detections d SET substance = s.substance, class = s.class
        FROM substance_names n JOIN substances s ON s.substance = n.substance
        WHERE d.class = 'unclassified' AND n.name_key = {dkey}
    """).fetchone()[0]
    skey = NAME_KEY_SQL.format(col="x.expected_raw")
    expected = con.execute(f"""
        UPDATE samples x SET expected_substance = s.substance, expected_class = s.class
        FROM substance_names n JOIN substances s ON s.substance = n.substance
        WHERE x.expected_class = 'unclassified' AND n.name_key = {skey}
    """).fetchone()[0]
    expected_ph = con.execute(f"""
        UPDATE samples x SET expected_substance = NULL, expected_class = NULL
        FROM substance_names n
        WHERE x.expected_class = 'unclassified' AND n.name_key = {skey} AND n.is_placeholder
    """).fetchone()[0]
    if expected or expected_ph:
        # detections carry a copy of their sample's expectation (warehouse migration 3): keep it equal
        con.execute("""
            UPDATE detections d SET expected_substance = x.expected_substance, expected_class = x.expected_class
            FROM samples x
            WHERE x.sample_no = d.sample_no AND (d.expected_class IS DISTINCT FROM x.expected_class
                                                 OR d.expected_substance IS DISTINCT FROM x.expected_substance)
        """)
    if placeholders or mapped or expected or expected_ph:
        findings.refresh(con, "sample_no IN (SELECT sample_no FROM reclassified)")
    con.execute("DROP TABLE reclassified")
    return placeholders + mapped + expected + expected_ph


def unknown_names(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Raw names the dictionary does not know, with the number of samples they occur in, most frequent first.

    Names of detections loaded as 'unclassified' (as written) and expected ("sold as") names with no dictionary
    entry; a sample counts once per name. The Data page lists the same names (supplywatch.metrics.unknown_substances).
    """
    register_functions(con)
    key = NAME_KEY_SQL.format(col="expected_raw")
    rows = con.execute(f"""
        SELECT name, count(DISTINCT sample_no) AS n FROM (
            SELECT substance_raw AS name, sample_no FROM detections WHERE class = 'unclassified'
            UNION ALL
            SELECT expected_raw, sample_no FROM samples
            WHERE expected_raw IS NOT NULL
              AND {key} NOT IN (SELECT name_key FROM substance_names)
        ) GROUP BY name ORDER BY n DESC, name
    """).fetchall()
    return [(name, int(n)) for name, n in rows]
