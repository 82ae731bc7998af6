"""Where to get help, per region: the small bilingual directory staff keep (drug checking, naloxone, supervised
consumption and overdose prevention sites, treatment and detox entry, crisis and spotting lines).

An alert that says "get your drugs checked" or "carry naloxone" should say where. Staff keep
the directory in a CSV (format in docs/data-formats.md, demo in data/help_directory.csv) and
load it with ``python -m supplywatch help-directory load FILE``: the file loads completely or
not at all, and every bad row is named by one line (file, line, column). It lives in the app
file (staff-kept reference data, not warehouse data); the board, the static board pages, every
mail, the JSON feed and webhooks, the poster and the SMS text show the entries for an alert's
regions, and a public page lists them all by region.

Region ``*`` is everywhere (a national crisis or spotting line). Text is plain text (HTML
removed by supplywatch.plain_text through clean_text); a link is parsed by supplywatch.weblinks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import auth, csv_table, db
from .plain_text import clean_text
from .messages import UserError
from .weblinks import link_problem, public_link

EVERYWHERE = "*"
# The fixed vocabulary, in the order a reader meets them: the whole continuum of care, without judgement.
KINDS = ("drug_checking", "naloxone", "supervised_consumption", "treatment", "crisis_line", "spotting_line")
KIND_LABELS = {
    "en": {"drug_checking": "Drug checking", "naloxone": "Naloxone",
           "supervised_consumption": "Supervised consumption and overdose prevention",
           "treatment": "Treatment and detox entry", "crisis_line": "Crisis line",
           "spotting_line": "Spotting line (don't use alone)"},
    "fr": {"drug_checking": "Analyse de drogues", "naloxone": "Naloxone",
           "supervised_consumption": "Consommation supervisée et prévention des surdoses",
           "treatment": "Accès au traitement et au sevrage", "crisis_line": "Ligne de crise",
           "spotting_line": "Ligne d'accompagnement (ne consommez pas seul·e)"},
}
ALWAYS_OPEN = {"en": "24/7", "fr": "24 h sur 24, 7 jours sur 7"}
HEADING = {"en": "Where to get help", "fr": "Où trouver de l'aide"}
COLUMNS = ("region", "kind", "name_en", "name_fr", "address", "hours_en", "hours_fr", "phone", "open_24_7", "url",
           "notes_en", "notes_fr")
REQUIRED = ("region", "kind", "name_en", "name_fr", "phone")
LIMITS = {"region": 80, "name": 120, "address": 200, "hours": 120, "notes": 300}
YES, NO = ("yes", "oui", "true", "1"), ("no", "non", "false", "0", "")
PHONE_CHARS = set("0123456789+-(). ")


class HelpDirectoryError(UserError):
    """A help directory file refused; one line per problem, each naming file, line and column."""


@dataclass(frozen=True)
class HelpEntry:
    region: str
    kind: str
    name: dict  # {lang: text}
    address: str
    hours: dict  # {lang: text}, may be empty
    phone: str
    open_24_7: bool
    url: str | None
    notes: dict  # {lang: text}, may be empty

    def line(self, lang: str) -> str:
        """One plain-text line: 'Drug checking: Harbour Drug Checking, 12 Fake St., Mon-Fri 10-18, 555-0100'."""
        hours = ALWAYS_OPEN[lang] if self.open_24_7 else self.hours.get(lang, "")
        parts = [self.name[lang], self.address, hours, self.phone]
        sep = " : " if lang == "fr" else ": "
        return f"{KIND_LABELS[lang][self.kind]}{sep}{', '.join(p for p in parts if p)}"


def _phone(text: str) -> str | None:
    """A reason the phone number is refused, or None."""
    digits = sum(ch.isdigit() for ch in text)
    if set(text) - PHONE_CHARS or "+" in text[1:]:
        return f"phone {text!r}: only digits, spaces, + at the start, and - ( ) . are allowed"
    if not 3 <= digits <= 15:
        return f"phone {text!r}: {digits} digits, expected 3 to 15"
    if link_problem("tel:" + text.replace(" ", "")):
        return f"phone {text!r} is not a number a phone can dial"
    return None


def _row(path: Path, line: int, raw: dict[str, str]) -> tuple[HelpEntry | None, list[str]]:
    errors: list[str] = []

    def bad(column: str, msg: str) -> None:
        errors.append(str(csv_table.cell_error(HelpDirectoryError, path, line, column, msg)))

    cell = {k: clean_text(raw.get(k, ""), one_line=True) for k in COLUMNS}
    cell["url"] = (raw.get("url") or "").strip()  # parsed by weblinks below; cleaning would hide what was written
    for column in COLUMNS:
        limit = LIMITS.get(column.removesuffix("_en").removesuffix("_fr"))
        if limit and len(cell[column]) > limit:
            bad(column, f"{len(cell[column])} characters, at most {limit}")
    for column in ("region", "kind", "phone"):
        if not cell[column]:
            bad(column, "empty")
    kind = cell["kind"].lower()
    if cell["kind"] and kind not in KINDS:
        bad("kind", f"{cell['kind']!r} is not a kind of help; use one of {', '.join(KINDS)}")
    for field in ("name", "hours", "notes"):
        en, fr = cell[f"{field}_en"], cell[f"{field}_fr"]
        if field == "name" and not en and not fr:
            bad("name_en", "empty")
        elif en and not fr:
            bad(f"{field}_fr", f"missing French for {field}_en {en[:40]!r}")
        elif fr and not en:
            bad(f"{field}_en", f"missing English for {field}_fr {fr[:40]!r}")
    if cell["phone"]:
        problem = _phone(cell["phone"])
        if problem:
            bad("phone", problem)
    flag = cell["open_24_7"].lower()
    if flag not in YES + NO:
        bad("open_24_7", f"{cell['open_24_7']!r}: write yes or no")
    url = None
    if cell["url"]:
        url = public_link(cell["url"])
        if url is None or not url.startswith(("https://", "http://")):
            bad("url", f"{cell['url'][:60]!r} refused: {link_problem(cell['url']) or 'use an http(s) address'}")
    if errors:
        return None, errors
    entry = HelpEntry(
        region=cell["region"], kind=kind, name={"en": cell["name_en"], "fr": cell["name_fr"]},
        address=cell["address"], hours={k: v for k, v in (("en", cell["hours_en"]), ("fr", cell["hours_fr"])) if v},
        phone=cell["phone"], open_24_7=flag in YES, url=url,
        notes={k: v for k, v in (("en", cell["notes_en"]), ("fr", cell["notes_fr"])) if v})
    return entry, []


def parse(path: str | Path) -> list[HelpEntry]:
    """Every entry of the CSV ``path``, or :class:`HelpDirectoryError` listing every bad row (nothing is half-read)."""
    path = Path(path)
    entries, errors = [], []
    seen: dict[tuple, int] = {}
    for line, raw in csv_table.rows(path, COLUMNS, REQUIRED, "help directory", HelpDirectoryError,
                                    "quote cells that hold a comma"):
        entry, row_errors = _row(path, line, raw)
        errors += row_errors
        if entry is not None:
            key = (entry.region.lower(), entry.kind, entry.name["en"].lower())
            if key in seen:
                errors.append(str(csv_table.cell_error(HelpDirectoryError, path, line, "name_en",
                                                       f"the same entry as line {seen[key]}")))
            seen[key] = line
            entries.append(entry)
    if errors:
        raise HelpDirectoryError("\n".join(errors))
    if not entries:
        raise HelpDirectoryError(f"{path.name}: no entries (a header and at least one row are needed)")
    return entries


def load(path: str | Path, actor: str, now: dt.datetime) -> int:
    """Replace the directory with the file's entries in one transaction; return how many."""
    entries = parse(path)
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM help_entries")
            con.executemany(
                "INSERT INTO help_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[i, e.region, e.kind, e.name["en"], e.name["fr"], e.address, e.hours.get("en", ""),
                  e.hours.get("fr", ""), e.phone, e.open_24_7, e.url, e.notes.get("en", ""), e.notes.get("fr", "")]
                 for i, e in enumerate(entries)])
            con.execute("INSERT INTO help_directory_loads VALUES (?, ?, ?, ?)",
                        [auth.naive_utc(now), actor, Path(path).name, len(entries)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return len(entries)


def current() -> list[HelpEntry]:
    """The loaded directory, in file order (empty until staff load one)."""
    with db.app_connection() as con:
        rows = con.execute("SELECT region, kind, name_en, name_fr, address, hours_en, hours_fr, phone, open_24_7, url,"
                           " notes_en, notes_fr FROM help_entries ORDER BY position").fetchall()
    return [HelpEntry(r[0], r[1], {"en": r[2], "fr": r[3]}, r[4], {k: v for k, v in (("en", r[5]), ("fr", r[6])) if v},
                      r[7], r[8], r[9], {k: v for k, v in (("en", r[10]), ("fr", r[11])) if v}) for r in rows]


def for_regions(entries: list[HelpEntry], regions) -> list[HelpEntry]:
    """The entries for an alert's regions: each region's own first, then those for everywhere; by kind within."""
    wanted = [r.lower() for r in regions]
    own = [e for e in entries if e.region.lower() in wanted]
    own.sort(key=lambda e: (wanted.index(e.region.lower()), KINDS.index(e.kind)))
    return own + sorted((e for e in entries if e.region == EVERYWHERE), key=lambda e: KINDS.index(e.kind))


def by_region(entries: list[HelpEntry]) -> dict[str, list[HelpEntry]]:
    """{region: entries by kind}, regions in alphabetical order and '*' (everywhere) last, for the public page."""
    out: dict[str, list[HelpEntry]] = {}
    for region in sorted({e.region for e in entries}, key=lambda r: (r == EVERYWHERE, r.lower())):
        out[region] = sorted((e for e in entries if e.region == region), key=lambda e: KINDS.index(e.kind))
    return out
