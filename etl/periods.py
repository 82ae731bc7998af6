"""Period labels of overdose series: what span a label covers and what kind of period it is.

Kinds, finest first: day, week, month, quarter, year_to_date, year, and ``rolling`` (a window of N months ending
with the labelled period, declared by the mapping's ``window``). A series holds one kind per line on a chart:
a year beside its quarters, or a rolling 12-month total beside a month, would read as a jump in harms.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

KINDS = ("day", "week", "month", "quarter", "year_to_date", "year", "rolling", "other")

# Month names as services write them: English, French and Welsh, full and short (compared lower-cased, without
# accents and a trailing dot). Nothing here is ambiguous: 'mai' is May in French and Welsh alike.
_MONTH_NAMES = {
    1: ["january", "jan", "janvier", "janv", "ionawr", "ion"],
    2: ["february", "feb", "fevrier", "fevr", "fev", "chwefror", "chwef"],
    3: ["march", "mar", "mars", "mawrth", "maw"],
    4: ["april", "apr", "avril", "avr", "ebrill", "ebr"],
    5: ["may", "mai"],
    6: ["june", "jun", "juin", "mehefin", "meh"],
    7: ["july", "jul", "juillet", "juil", "gorffennaf", "gorff", "gor"],
    8: ["august", "aug", "aout", "awst"],
    9: ["september", "sep", "sept", "septembre", "medi"],
    10: ["october", "oct", "octobre", "hydref", "hyd"],
    11: ["november", "nov", "novembre", "tachwedd", "tach"],
    12: ["december", "dec", "decembre", "rhagfyr", "rhag"],
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}

# strptime directives a mapping may use in `formats`, and the period each gives when the finest one is present
FORMAT_DIRECTIVES = {"Y": "year", "y": "year", "m": "month", "b": "month", "B": "month", "d": "day", "H": "day",
                     "M": "day", "S": "day", "%": None}
FORMAT_HELP = "%Y %y %m %d %b %B %H %M %S"
PERIOD_HELP = "YYYY, YYYY Qn, YYYY-MM, YYYY-MM-DD, YYYY-Www or a month name and year"


def month_number(word: str) -> int | None:
    """'March', 'mars', 'Mawrth', 'Sept.', 'févr' -> the month number; None for anything else."""
    w = word.strip().lower().rstrip(".")
    w = w.translate(str.maketrans("éèêûôâ", "eeeuoa"))
    return MONTHS.get(w)


def format_problem(fmt: str) -> str | None:
    """Why a strptime format cannot be used (a directive not in FORMAT_DIRECTIVES), or None when it can."""
    for directive in re.findall(r"%(.)", fmt.replace("%%", "")):
        if directive not in FORMAT_DIRECTIVES:
            return f"format {fmt!r} uses %{directive}, which is not supported (use {FORMAT_HELP})"
    if not re.search(r"%[Yy]", fmt):
        return f"format {fmt!r} has no year (%Y or %y)"
    return None


def format_kind(fmt: str) -> str:
    """The period a format's finest directive gives: '%B %Y' is a month, '%d/%m/%Y' a day."""
    found = {FORMAT_DIRECTIVES.get(d) for d in re.findall(r"%(.)", fmt.replace("%%", ""))}
    return next(k for k in ("day", "month", "year") if k in found or k == "year")


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def parse_period(label: str, formats: list[str] | None = None):
    """A period label -> (start, end, kind) or None.

    '2024', '2024 Q1', '2024-03', '2024-03-05', '2024-W09', '2024-March', 'mars 2024', 'Mawrth 2024',
    '2025 (Jan to Sep)' (a year to date); then each strptime format in ``formats``, whose finest directive
    decides the kind ('%B %Y' gives a month, not its first day)."""
    s = " ".join(label.split())
    m = re.fullmatch(r"(\d{4})", s)
    if m:
        y = int(m[1])
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"
    m = re.fullmatch(r"(\d{4})\s*[- ]?\s*[Qq]([1-4])", s) or re.fullmatch(r"[Qq]([1-4])\s*[- ]?\s*(\d{4})", s)
    if m:
        y, qn = (int(m[1]), int(m[2])) if len(m[1]) == 4 else (int(m[2]), int(m[1]))
        return dt.date(y, 3 * qn - 2, 1), _month_end(y, 3 * qn), "quarter"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
    if m and 1 <= int(m[2]) <= 12:
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, 1), _month_end(y, mo), "month"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        try:
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        return d, d, "day"
    m = re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", s)
    if m:
        try:
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            return None
        return start, start + dt.timedelta(days=6), "week"
    # a month by name: '2024-March', '2024 mars', 'March 2024', 'Mawrth-2024'
    m = re.fullmatch(r"(\d{4})\s*[-/ ]\s*([^\W\d_]+\.?)", s) or re.fullmatch(r"([^\W\d_]+\.?)\s*[-/ ]?\s*(\d{4})", s)
    if m:
        y, word = (int(m[1]), m[2]) if m[1].isdigit() else (int(m[2]), m[1])
        mo = month_number(word)
        if mo:
            return dt.date(y, mo, 1), _month_end(y, mo), "month"
    m = re.fullmatch(r"(\d{4})\s*\(\s*([^\W\d_]+)\.?\s+to\s+([^\W\d_]+)\.?\s*\)", s)
    if m and month_number(m[2]) and month_number(m[3]):
        y, a, b = int(m[1]), month_number(m[2]), month_number(m[3])
        if a <= b:
            kind = "year_to_date" if a == 1 and b < 12 else "year" if a == 1 else "other"
            return dt.date(y, a, 1), _month_end(y, b), kind
    for fmt in formats or []:
        try:
            d = dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
        kind = format_kind(fmt)
        if kind == "month":
            return d.replace(day=1), _month_end(d.year, d.month), "month"
        if kind == "year":
            return dt.date(d.year, 1, 1), dt.date(d.year, 12, 31), "year"
        return d, d, "day"
    return None


def parse_window(text) -> int | None:
    """A mapping's ``window`` ('12 months', '3 month') -> the number of months, or None when it is not one."""
    m = re.fullmatch(r"\s*(\d{1,3})\s*months?\s*", str(text), re.IGNORECASE)
    if m and 1 <= int(m[1]) <= 120:
        return int(m[1])
    return None


def rolling(end: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The window of ``months`` months ending on ``end``: (first day, end). 2024-03-31, 12 -> 2023-04-01."""
    after = end + dt.timedelta(days=1)
    total = after.year * 12 + after.month - 1 - months
    y, mo = divmod(total, 12)
    day = min(after.day, calendar.monthrange(y, mo + 1)[1])
    return dt.date(y, mo + 1, day), end


def window_months(start: dt.date, end: dt.date) -> int:
    """How many months a rolling window from ``start`` to ``end`` spans (the inverse of :func:`rolling`)."""
    after = end + dt.timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month
