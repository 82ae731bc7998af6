"""What a signal rule hands to staff: one :class:`Suggestion`, and the day a rule counts from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..alerts.model import AlertText


@dataclass(frozen=True)
class Suggestion:
    """One signal as staff see it: what fired, the evidence, and a suggested bilingual alert."""

    rule: str
    key: str  # stable across runs: rule|region|target|date
    title: str  # one line, English (the page shows text[lang].headline)
    severity: str  # suggested severity from the ladder in supplywatch.alerts.text
    substances: tuple[str, ...]
    regions: tuple[str, ...]
    evidence: tuple[str, ...]  # plain text lines naming sample ids, counts, dates
    text: dict[str, AlertText]
    stats: dict = field(default_factory=dict)


def day_of(now: dt.datetime) -> dt.date:
    """The day a rule counts back from (a datetime's date; a date stays as it is)."""
    return now.date() if isinstance(now, dt.datetime) else now
