"""The substance dictionary: raw names as services write them -> canonical substance and class.

``data/substances.csv`` holds one row per canonical substance (plus class-level
entries such as 'unknown opioid' and placeholders such as 'uncertain match') with
its raw-name synonyms. Every name is compared by :func:`name_key`; loads do the same
in SQL with :data:`NAME_KEY_SQL` and a join on ``substance_names``, so the two must
agree exactly (tested). Unknown names are never dropped: they stay as written with
class 'unclassified' (etl.substances lists them and installs this dictionary in the warehouse).

This module stands on the vocabulary (:mod:`supplywatch.classes`: class slugs, methods, strips) and answers the
questions about a name that need both: its class, the methods able to detect it, its label, whether it is high risk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import classes, csv_table

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


# ---------------------------------------------------------------- questions about a target

def class_of(target: str) -> str | None:
    """The class slug of a class slug (itself) or of a canonical substance; None if neither."""
    if target in classes.CLASSES:
        return target
    entry = load_dictionary().substances.get(target)
    return entry.cls if entry else None


def capable_methods(target: str) -> frozenset[str]:
    """Methods able to detect ``target`` (a class slug or canonical substance): the positivity denominator.

    FTIR and lab can find any real substance (FTIR only above about 5%); a strip counts
    only when it is built for the whole target: the fentanyl strip for the fentanyl class
    and its members (not carfentanil), the benzo strip for benzodiazepines, the nitazene
    strip for nitazenes, the xylazine and medetomidine strips for those substances alone.
    A class that a strip covers only in part (alpha-2 sedatives) gets FTIR and lab only.
    Placeholders, 'unclassified' and 'unknown' expectations have no capable method; a
    substance name the dictionary does not know gets FTIR and lab.
    """
    cls_slug = class_of(target)
    if cls_slug is None:  # a name outside the dictionary: only broad methods could have reported it
        return classes.BROAD_METHODS
    cls = classes.CLASSES[cls_slug]
    if not cls.detectable:
        return frozenset()
    methods = set(classes.BROAD_METHODS)
    for strip, aim in classes.STRIP_TARGETS.items():
        if target in classes.STRIP_BLIND_SPOTS.get(strip, ()):
            continue
        if target == aim or (target not in classes.CLASSES and cls_slug == aim):
            methods.add(strip)
    return frozenset(methods)


def substance_label(name: str | None, lang: str = "en") -> str:
    """Display name of a canonical substance ('MDMA', 'héroïne') or class; other names come back as written."""
    if not name:
        return ""
    if name in classes.CLASSES:
        return classes.label(name, lang)
    entry = load_dictionary().substances.get(name)
    return entry.label(lang) if entry else name


def is_high_risk(target: str) -> bool:
    """True for a high-risk class or substance (the dictionary's high_risk column; nitazenes as a class)."""
    if target in classes.CLASSES:
        return target in classes.HIGH_RISK_CLASSES
    entry = load_dictionary().substances.get(target)
    if entry is None:
        raise KeyError(f"unknown class or substance: {target!r}")
    return entry.high_risk or entry.cls in classes.HIGH_RISK_CLASSES
