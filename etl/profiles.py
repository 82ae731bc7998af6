"""Source profiles: how a CSV layout maps onto the canonical fields, read from TOML mapping files.

The built-in profiles in etl/profiles/*.toml are written in the same format users write (docs/data-formats.md),
so anything a built-in does, a user's mapping can do.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from supplywatch import classes

from . import periods
from . import person_names

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
KINDS = ("samples", "overdoses", "alerts")
STRIPS = tuple(classes.STRIPS)  # the strip columns, in order (supplywatch.classes holds the strip table)
LISTS = ("ftir_components", "lab_components", "ftir_trace_components", "lab_trace_components")
LIST_FORMATS = (";", ",", "|", "python")  # the usual ones; any other separator text is allowed too

# canonical field -> type, per kind (the types decide how a value is checked)
FIELDS: dict[str, dict[str, str]] = {
    "samples": {
        "sample_id": "text", "date": "date", "site": "text", "region": "text", "expected": "text",
        "sample_type": "sample_type", "form": "form", "colour": "text",
        **{s: "strip" for s in STRIPS},
        **{c: "list" for c in LISTS},
        "fentanyl_pct": "percent", "overdose_linked": "yesno", "notes": "text", "source": "text",
    },
    "overdoses": {
        "period": "period", "region": "text", "site": "text", "measure": "measure", "substance": "text",
        "breakdown": "text", "unit": "unit", "value": "value", "source": "text",
    },
    "alerts": {
        "alert_id": "text", "date": "date", "region": "text", "type": "text", "title": "text", "text": "text",
        "link": "link", "source": "text",
    },
}
REQUIRED_FIELDS = {
    "samples": ("date",),
    "overdoses": ("period", "measure", "unit"),
    "alerts": ("date", "title"),
}
RESULT_FIELDS = STRIPS + LISTS + ("fentanyl_pct",)

# Person-level column names, never stored (docs/data-formats.md, "Person-level data"; French ones in
# etl/person_names.py): compared after lower-casing and turning punctuation into spaces.
PERSON_COLUMNS = {
    "name", "first name", "firstname", "last name", "lastname", "surname", "given name", "full name",
    "client name", "patient name", "participant name", "person name",
    "phone", "phone number", "telephone", "mobile", "cell phone", "email", "e mail", "email address",
    "dob", "date of birth", "birth date", "birthdate", "birthday",
    "health number", "health card", "health card number", "phn", "hcn", "personal health number", "mrn",
    "medical record number", "sin", "ssn", "social insurance number",
    "address", "home address", "street address", "client address", "postal code", "postcode", "zip code",
}

PERSON_WORDS = {"phone", "telephone", "email", "dob", "birthdate", "birthday", "phn", "hcn", "ssn", "surname",
                "firstname", "lastname", "mrn"}
PERSON_OWNERS = {"client", "patient", "participant", "person", "first", "last", "given", "full", "family",
                 "home", "street", "mailing", "client s", "contact"}
PERSON_PHRASES = (" date of birth ", " birth date ", " e mail ", " health number ", " health card ",
                  " postal code ", " social insurance ", " cell phone ", " mobile number ")


class ProfileError(Exception):
    """A mapping file that cannot be used; ``str()`` is one line naming the file."""


@dataclass
class FieldSpec:
    """Where one canonical field comes from, and how its cells are read."""

    name: str
    column: str | None = None           # one source column
    value: str | None = None            # a constant for every row
    template: str | None = None         # "{year} {year_stage}": columns in braces, text between kept
    columns: list[str] | None = None    # several columns joined (non-empty ones) with `separator`
    separator: str = " | "
    formats: list[str] = field(default_factory=list)   # strptime formats for date fields
    values: dict[str, str] = field(default_factory=dict)  # value map, keys compared case-insensitively
    patterns: dict[str, str] = field(default_factory=dict)  # regex (whole text, any case) -> text, after values
    list: str | None = None             # list cells: a separator (any text, "\n" too) or "python"
    scale: float = 1.0                  # multiply numbers (e.g. 100 when a share is written 0-1)
    suppressed: list[str] | None = None  # value field: markers of suppressed small counts
    missing: list[str] | None = None     # value field: markers of missing values
    optional: bool = False              # the column may be absent from the header
    window: int | None = None           # period field: each label ends a rolling window of this many months
    postcode: str | None = None         # "outward": keep only the outward part of a postcode ("CF10 1AA" -> "CF10")
    lookup: dict[str, str] | None = None  # code (lower case) -> coarse value, from a two-column CSV file
    lookup_file: str | None = None      # that file's name, for messages

    def source_columns(self) -> list[str]:
        """Source columns this field reads."""
        if self.column:
            return [self.column]
        if self.columns:
            return list(self.columns)
        if self.template:
            return template_columns(self.template)
        return []


@dataclass
class Flags:
    """Wide flag columns, one per substance (StreetSafe-style 0/1 columns): a positive cell is a detection."""

    method: str                       # ftir | lab
    columns: dict[str, str]           # source column -> substance name as a service would write it
    positive: list[str]               # cell values meaning found (compared lower-cased)
    negative: list[str]               # cell values meaning tested, not found; empty = not tested
    trace: bool = False               # every detection from these columns is a trace finding


FLAG_POSITIVE = ["1", "yes", "y", "true", "positive", "detected", "x"]
FLAG_NEGATIVE = ["0", "no", "n", "false", "negative", "not detected", "-"]


@dataclass
class Profile:
    """A source layout: kind, recognisable header, field mapping, natural key."""

    name: str
    kind: str
    source: str
    fields: dict[str, FieldSpec]
    required_columns: list[str]
    one_of_columns: list[str] = field(default_factory=list)
    ignore_columns: list[str] = field(default_factory=list)
    natural_key: list[str] = field(default_factory=list)
    delimiter: str | None = None
    description: str = ""
    origin: str = ""
    flags: list[Flags] = field(default_factory=list)
    skip_when: list[tuple[str, list[str]]] = field(default_factory=list)  # (column, values lower-cased)
    service_start: dt.date | None = None  # samples dated before it are rejected (etl.plausibility)

    def source_columns(self) -> list[str]:
        """Every source column the fields, flag columns and skip rules read."""
        cols = [c for f in self.fields.values() for c in f.source_columns()]
        return cols + [c for g in self.flags for c in g.columns] + [c for c, _ in self.skip_when]

    def missing_columns(self, header: list[str]) -> list[str]:
        """Required source columns absent from ``header`` (case-insensitive)."""
        have = {h.strip().lower() for h in header}
        missing = [c for c in self.required_columns if c.lower() not in have]
        if self.one_of_columns and not any(c.lower() in have for c in self.one_of_columns):
            missing.append("one of " + "/".join(self.one_of_columns))
        return missing


def template_columns(template: str) -> list[str]:
    """Column names written in braces in a template."""
    return re.findall(r"\{([^{}]+)\}", template)


def normalise_column_name(name: str) -> str:
    """Accents off, camelCase split, lower case, punctuation and underscores to single spaces.

    'Date_of-Birth ' -> 'date of birth', 'Téléphone' -> 'telephone', 'HealthCardNo' -> 'health card no'."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", folded)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", split.lower()).split())


def is_person_column(name: str) -> bool:
    """True for headers that name a person-level identifier (name, phone, email, date of birth, health number...).

    Matched on words, so 'Client phone' and 'Participant DOB' count but 'location_name' and 'Site' do not.
    """
    norm = normalise_column_name(name)
    if norm in PERSON_COLUMNS:
        return True
    words = norm.split()
    if set(words) & PERSON_WORDS:
        return True
    if len(words) >= 2 and words[-1] in ("name", "address") and words[-2] in PERSON_OWNERS:
        return True
    return any(phrase in f" {norm} " for phrase in PERSON_PHRASES) or person_names.is_person_name(norm)


# ---------------------------------------------------------------- parsing mapping files

_FIELD_KEYS = {"column", "value", "template", "columns", "separator", "format", "formats", "values", "list",
               "scale", "suppressed", "missing", "optional", "window", "postcode", "lookup", "patterns"}
# regular-expression syntax DuckDB (RE2) does not run: look-around and back-references
_UNSUPPORTED_REGEX = re.compile(r"\(\?<?[=!]|\\[1-9]")
_TOP_KEYS = {"name", "kind", "source", "description", "delimiter", "required_columns", "one_of_columns",
             "ignore_columns", "natural_key", "fields", "flags", "skip_when", "service_start"}


def parse_profile(text: str, origin: str, base_dir: Path | None = None) -> Profile:
    """Build a :class:`Profile` from mapping-file text; ``origin`` names the file in errors.

    ``base_dir`` is where files the mapping names (``lookup``) are found (default: the current folder)."""
    def fail(msg: str) -> ProfileError:
        return ProfileError(f"{origin}: {msg}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"not valid TOML ({exc})") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail(f"unknown setting {unknown[0]!r} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    kind = data.get("kind")
    if kind not in KINDS:
        raise fail(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
    name = str(data.get("name") or Path(origin).stem)
    known = FIELDS[kind]
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise fail("a [fields] table is required: canonical field = source column")
    fields: dict[str, FieldSpec] = {}
    for fname, spec in raw_fields.items():
        if fname not in known:
            raise fail(f"unknown field {fname!r} for kind {kind} (known: {', '.join(known)})")
        fields[fname] = _parse_field(fname, spec, known[fname], fail, base_dir or Path("."))
    for req in REQUIRED_FIELDS[kind]:
        if req not in fields:
            raise fail(f"field {req!r} is required for kind {kind}")
    flags = _parse_flags(data.get("flags", []), kind, fail)
    if kind == "samples" and not flags and not any(f in fields for f in RESULT_FIELDS):
        raise fail("a samples mapping needs at least one result field (" + ", ".join(RESULT_FIELDS) + ")")
    natural_key = _str_list(data.get("natural_key", []), "natural_key", fail)
    for k in natural_key:
        if k not in fields:
            raise fail(f"natural_key names {k!r}, which is not a mapped field")
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise fail("delimiter must be one character, e.g. \",\" or \";\" or \"\\t\"")
    mapped = [c for f in fields.values() if not f.optional for c in f.source_columns()]
    mapped += [c for g in flags for c in g.columns]
    skip_when = _parse_skip_when(data.get("skip_when", []), fail)
    mapped += [c for c, _ in skip_when]
    required = _str_list(data.get("required_columns", mapped), "required_columns", fail)
    profile = Profile(
        name=name, kind=kind, source=str(data.get("source") or name), fields=fields,
        required_columns=list(dict.fromkeys(required)),
        one_of_columns=_str_list(data.get("one_of_columns", []), "one_of_columns", fail),
        ignore_columns=_str_list(data.get("ignore_columns", []), "ignore_columns", fail),
        natural_key=natural_key, delimiter=delimiter, description=str(data.get("description", "")),
        origin=origin, flags=flags, skip_when=skip_when,
        service_start=_parse_day(data.get("service_start"), "service_start", fail),
    )
    for f in [*fields.values(), *(FieldSpec(name="flags", columns=list(g.columns)) for g in flags)]:
        if f.postcode or f.lookup is not None:
            continue  # only the coarse part is stored, never the code as written
        for col in f.source_columns():
            if is_person_column(col) and col.lower() not in {c.lower() for c in profile.ignore_columns}:
                raise fail(f"field {f.name!r} reads column {col!r}, which holds a person-level identifier;"
                           " such columns are never stored (a postcode may give a region with"
                           " postcode = \"outward\" or a lookup file)")
    return profile


def _parse_skip_when(raw, fail) -> list[tuple[str, list[str]]]:
    """skip_when = { column = "Status", values = ["not analysed"] } (or a list of such tables)."""
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise fail('skip_when must be a table like { column = "Status", values = ["not analysed"] }')
    out = []
    for rule in raw:
        if (not isinstance(rule, dict) or set(rule) != {"column", "values"} or not isinstance(rule["column"], str)
                or not rule["values"]):
            raise fail('skip_when must be a table like { column = "Status", values = ["not analysed"] }')
        values = _str_list(rule["values"], "skip_when.values", fail)
        out.append((rule["column"], [v.strip().lower() for v in values]))
    return out


def _read_lookup(fname: str, file_name, base_dir: Path, fail) -> tuple[dict[str, str], str]:
    """A lookup file: CSV with a header and two columns, code and the coarse value it stands for."""
    import csv

    if not isinstance(file_name, str) or not file_name:
        raise fail(f"field {fname!r}: lookup must name a CSV file of code,value rows")
    path = base_dir / file_name
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise fail(f"field {fname!r}: lookup file {file_name!r} not found (looked in {base_dir})") from None
    except (UnicodeDecodeError, OSError, csv.Error) as exc:
        raise fail(f"field {fname!r}: cannot read lookup file {file_name!r} ({exc.__class__.__name__})") from None
    table: dict[str, str] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != 2 or not row[0].strip():
            raise fail(f"field {fname!r}: {file_name} line {line}: expected two columns, code and value"
                       f" (found {len(row)})")
        code = row[0].strip().lower()
        if code in table and table[code] != row[1].strip():
            raise fail(f"field {fname!r}: {file_name} line {line}: code {row[0].strip()!r} is listed twice"
                       " with different values")
        table[code] = row[1].strip()
    if not table:
        raise fail(f"field {fname!r}: lookup file {file_name!r} has no rows")
    return table, Path(file_name).name


def _parse_flags(raw, kind: str, fail) -> list[Flags]:
    """[[flags]] tables: method, columns = { "Source column" = "substance name" }, positive, negative, trace."""
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise fail("flags must be a table or a list of [[flags]] tables")
    if raw and kind != "samples":
        raise fail("flags apply only to kind samples")
    out = []
    for group in raw:
        if not isinstance(group, dict):
            raise fail("each [[flags]] entry must be a table")
        bad = sorted(set(group) - {"method", "columns", "positive", "negative", "trace"})
        if bad:
            raise fail(f"flags: unknown setting {bad[0]!r} (allowed: columns, method, negative, positive, trace)")
        method = group.get("method", "lab")
        if method not in ("ftir", "lab"):
            raise fail(f"flags: method must be ftir or lab (got {method!r})")
        cols = group.get("columns")
        if not isinstance(cols, dict) or not cols or not all(isinstance(v, str) for v in cols.values()):
            raise fail('flags: columns must map source columns to substance names, e.g. { "fent" = "fentanyl" }')
        positive = [str(v).lower() for v in _str_list(group.get("positive", FLAG_POSITIVE), "flags.positive", fail)]
        negative = [str(v).lower() for v in _str_list(group.get("negative", FLAG_NEGATIVE), "flags.negative", fail)]
        out.append(Flags(method, dict(cols), positive, negative, bool(group.get("trace", False))))
    return out


def _parse_day(value, key: str, fail) -> dt.date | None:
    """A TOML date (2018-05-01) or a string 'YYYY-MM-DD'."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise fail(f"{key} must be a date like 2018-05-01 (got {value!r})") from None


def _str_list(value, key: str, fail) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"{key} must be a list of strings")
    return list(value)


def _parse_field(fname: str, spec, ftype: str, fail, base_dir: Path) -> FieldSpec:
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        raise fail(f"field {fname!r}: write a column name in quotes or a table like {{ column = \"...\" }}")
    bad = sorted(set(spec) - _FIELD_KEYS)
    if bad:
        raise fail(f"field {fname!r}: unknown setting {bad[0]!r} (allowed: {', '.join(sorted(_FIELD_KEYS))})")
    sources = [k for k in ("column", "value", "template", "columns") if k in spec]
    if len(sources) != 1:
        raise fail(f"field {fname!r}: give exactly one of column, value, template or columns")
    formats = spec.get("formats", spec.get("format", []))
    formats = [formats] if isinstance(formats, str) else formats
    if ftype == "date" and not formats:
        formats = ["%Y-%m-%d"]
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise fail(f"field {fname!r}: formats must be a list of strings like \"%d/%m/%Y\"")
    for fmt in formats:
        if (problem := periods.format_problem(fmt)) is not None:
            raise fail(f"field {fname!r}: {problem}")
    values = spec.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise fail(f"field {fname!r}: values must map source text to canonical text, e.g. {{ True = \"positive\" }}")
    patterns = _parse_patterns(fname, spec.get("patterns", {}), fail)
    lst = spec.get("list")
    if ftype == "list":
        lst = lst or ";"
        if not isinstance(lst, str) or not lst.strip(" "):
            raise fail(f"field {fname!r}: list must be a separator such as \";\" \",\" \" + \" \"\\n\","
                       f" or \"python\" (got {lst!r})")
    elif lst is not None:
        raise fail(f"field {fname!r}: list applies only to component fields")
    if "template" in spec and not template_columns(spec["template"]):
        raise fail(f"field {fname!r}: template names no column in braces, e.g. \"{{year}} {{quarter}}\"")
    try:
        scale = float(spec.get("scale", 1.0))
    except (TypeError, ValueError):
        raise fail(f"field {fname!r}: scale must be a number") from None
    window = None
    if "window" in spec:
        if ftype != "period":
            raise fail(f"field {fname!r}: window applies only to the period field")
        window = periods.parse_window(spec["window"])
        if window is None:
            raise fail(f"field {fname!r}: window must be a number of months from 1 to 120, e.g. \"12 months\""
                       f" (got {spec['window']!r})")
    postcode = spec.get("postcode")
    if postcode is not None and (ftype != "text" or postcode != "outward"):
        raise fail(f"field {fname!r}: postcode = \"outward\" is the only choice, for a text field such as region")
    if (postcode is not None or "lookup" in spec) and "column" not in spec:
        raise fail(f"field {fname!r}: postcode and lookup read one column: write column = \"...\"")
    lookup, lookup_file = None, None
    if "lookup" in spec:
        if ftype != "text" or postcode is not None:
            raise fail(f"field {fname!r}: lookup applies to text fields such as region, without postcode")
        lookup, lookup_file = _read_lookup(fname, spec["lookup"], base_dir, fail)
    return FieldSpec(
        name=fname, column=spec.get("column"), value=spec.get("value"), template=spec.get("template"),
        columns=spec.get("columns"), separator=spec.get("separator", " | "), formats=list(formats),
        values={str(k).strip().lower(): v for k, v in values.items()}, patterns=patterns, list=lst, scale=scale,
        suppressed=spec.get("suppressed"), missing=spec.get("missing"), optional=bool(spec.get("optional", False)),
        window=window, postcode=postcode, lookup=lookup, lookup_file=lookup_file,
    )


def _parse_patterns(fname: str, patterns, fail) -> dict[str, str]:
    """``patterns = { "Overall numbers \\| Total .*" = "" }``: each key a regular expression for the whole text."""
    if not isinstance(patterns, dict) or not all(isinstance(v, str) for v in patterns.values()):
        raise fail(f"field {fname!r}: patterns must map regular expressions to text, e.g. {{ \"Total .*\" = \"\" }}")
    for pat in patterns:
        try:
            re.compile(pat)
        except re.error as exc:
            raise fail(f"field {fname!r}: pattern {pat!r} is not a regular expression ({exc})") from None
        if _UNSUPPORTED_REGEX.search(pat):
            raise fail(f"field {fname!r}: pattern {pat!r} uses look-around or a back-reference, which is not"
                       " supported")
    return dict(patterns)


def load_profile_file(path: str | Path) -> Profile:
    """Read a mapping file (TOML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProfileError(f"{path.name}: no such mapping file") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ProfileError(f"{path.name}: cannot read the mapping file ({exc.__class__.__name__})") from None
    return parse_profile(text, path.name, path.parent)


def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped in etl/profiles/, by name."""
    out = {}
    for p in sorted(BUILTIN_DIR.glob("*.toml")):
        prof = load_profile_file(p)
        out[prof.name] = prof
    return out


def resolve(profile: str | Path | None) -> Profile | None:
    """``--profile`` value to a profile: a built-in name, or a path to a mapping file; None means detect."""
    if profile is None:
        return None
    text = str(profile)
    builtins = builtin_profiles()
    if text in builtins:
        return builtins[text]
    if text.endswith((".toml", ".TOML")) or Path(text).exists():
        return load_profile_file(text)
    raise ProfileError(f"{text}: no built-in profile of that name and no such mapping file"
                       f" (built-ins: {', '.join(builtins)})")


def detect(header: list[str], file_name: str) -> Profile:
    """The built-in profile whose required columns the header has (the most specific wins), or ProfileError."""
    candidates = []
    for prof in builtin_profiles().values():
        missing = prof.missing_columns(header)
        candidates.append((len(missing), -len(prof.required_columns), prof, missing))
    matches = [c for c in candidates if c[0] == 0]
    if matches:
        return min(matches, key=lambda c: c[1])[2]
    candidates.sort(key=lambda c: (c[0], c[1]))
    parts = [f"{p.name} (missing {', '.join(repr(m) for m in miss[:4])}{'...' if len(miss) > 4 else ''})"
             for _, _, p, miss in candidates]
    raise ProfileError(f"{file_name}: unknown layout; expected one of: {'; '.join(parts)}."
                       " Write a mapping file (docs/data-formats.md) and pass --profile")
