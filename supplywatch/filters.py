"""The dashboard's shared filters: one dataclass that round-trips through the URL and becomes a SQL WHERE.

The reader's language is not a filter: it has one owner, ``supplywatch.web.language``, which keeps its own ``lang``
key in the address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Mapping

# URL query-string keys, in the order they are written.
QUERY_KEYS = ("from", "to", "region", "site", "expected", "type")
SAMPLE_TYPES = ("drug", "residue")


@dataclass(frozen=True)
class Filters:
    """What the reader chose in the sidebar; every field None means "all"."""

    start: dt.date | None = None
    end: dt.date | None = None
    region: str | None = None
    site: str | None = None
    expected: str | None = None  # samples.expected_raw, as the service wrote it ("sold as")
    sample_type: str | None = None

    # ------------------------------------------------------------ URL

    def to_query(self) -> dict[str, str]:
        """Query-string parameters for this view (only the fields that are set)."""
        values = {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "region": self.region,
            "site": self.site,
            "expected": self.expected,
            "type": self.sample_type,
        }
        return {k: v for k, v in values.items() if v}

    @classmethod
    def from_query(cls, params: Mapping[str, object]) -> "Filters":
        """Read filters back from query parameters; malformed values are ignored, never raised."""

        def one(key: str) -> str | None:
            value = params.get(key)
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else None
            if value is None:
                return None
            text = str(value).strip()
            return text[:200] or None

        start, end = _parse_date(one("from")), _parse_date(one("to"))
        if start and end and start > end:
            start, end = end, start
        sample_type = one("type")
        return cls(
            start=start,
            end=end,
            region=one("region"),
            site=one("site"),
            expected=one("expected"),
            sample_type=sample_type if sample_type in SAMPLE_TYPES else None,
        )

    # ------------------------------------------------------------ SQL

    def where(self, alias: str = "s", dates: bool = True) -> tuple[str, list]:
        """A SQL condition over ``samples`` (as ``alias``) and its parameters; 'TRUE' when nothing is set."""
        p = f"{alias}." if alias else ""
        clauses: list[str] = []
        params: list = []
        if dates and self.start:
            clauses.append(f"{p}collected_date >= ?")
            params.append(self.start)
        if dates and self.end:
            clauses.append(f"{p}collected_date <= ?")
            params.append(self.end)
        for column, value in (
            ("region", self.region),
            ("site", self.site),
            ("expected_raw", self.expected),
            ("sample_type", self.sample_type),
        ):
            if value is not None:
                clauses.append(f"{p}{column} = ?")
                params.append(value)
        return (" AND ".join(clauses) or "TRUE"), params

    def cache_key(self) -> tuple:
        """Every field, as a hashable key for cached queries."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def without_dates(self) -> "Filters":
        """The same filters over all dates (for first-detection lookbacks)."""
        return replace(self, start=None, end=None)


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
