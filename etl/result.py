"""What a load tells its caller about one file: :class:`LoadResult`, and the skipped-rows clause of its message."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import person_data


@dataclass
class LoadResult:
    """What happened to one file."""

    file: str
    status: str                       # loaded | unchanged | refused
    message: str                      # one line for the user
    run_id: int | None = None
    profile: str | None = None
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0             # rows the mapping's skip_when says carry no result
    skipped_reasons: list[tuple[str, int]] = field(default_factory=list)
    rows_conflict: int = 0            # rows whose key another row holds with other values (the file is refused)
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    unknown_substances: list[tuple[str, int]] = field(default_factory=list)
    person_found: person_data.Found = field(default_factory=person_data.Found)  # by content: columns, counts, kinds
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "unchanged")


def skipped_text(res: LoadResult) -> str:
    """', 3 skipped without a result (Status = not analysed: 2, Status = pending: 1)' or '' when none were."""
    if not res.rows_skipped:
        return ""
    reasons = ", ".join(f"{r}: {n}" for r, n in res.skipped_reasons)
    return f", {res.rows_skipped} skipped without a result ({reasons})"
