"""A small in-memory warehouse the signal rules run on, filled by hand per test."""

import datetime as dt

import duckdb
import pytest

from supplywatch import db, schema

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)
TODAY = NOW.date()

SUBSTANCES = [
    ("fentanyl", "fentanyl", False),
    ("carfentanil", "fentanyl", True),
    ("isotonitazene", "nitazene", True),
    ("caffeine", "cut", False),
]


class Warehouse:
    """Insert helpers over a migrated in-memory warehouse."""

    def __init__(self):
        self.con = duckdb.connect(":memory:")
        db.migrate(self.con, schema.WAREHOUSE_MIGRATIONS)
        for name, cls, high in SUBSTANCES:
            self.con.execute("INSERT INTO substances VALUES (?, ?, ?, [])", [name, cls, high])
        self._n = 0

    def sample(self, days_ago: int, region: str | None = "Harbour", found: tuple[str, ...] = (), *,
               ftir: bool = True, fentanyl_pct: float | None = None, strips: dict | None = None,
               sample_id: str | None = None) -> str:
        """One drug-checking sample ``days_ago`` before TODAY with FTIR detections of ``found``."""
        self._n += 1
        sid = sample_id or f"S{self._n:04d}"
        strips = strips or {}
        self.con.execute(
            "INSERT INTO samples (sample_id, source, collected_date, region, ftir_tested, fentanyl_pct, "
            "nitazene_strip, load_run_id) VALUES (?, 'test', ?, ?, ?, ?, ?, 1)",
            [sid, TODAY - dt.timedelta(days=days_ago), region, ftir, fentanyl_pct, strips.get("nitazene_strip")],
        )
        for name in found:
            cls = next(c for n, c, _ in SUBSTANCES if n == name)
            self.con.execute(schema.INSERT_DETECTION, [sid, "ftir", name, name, cls, False, True])
        if strips.get("nitazene_strip") == "positive":
            self.con.execute(schema.INSERT_DETECTION,
                             [sid, "nitazene_strip", "Nitazene strip", None, "nitazene", False, True])
        return sid

    def overdoses(self, region: str, values: list, measure: str = "ems", period_type: str = "day") -> None:
        """A count series ending TODAY (one value per day or week); None is a suppressed count."""
        step = dt.timedelta(days=1 if period_type == "day" else 7)
        for i, value in enumerate(values):
            start = TODAY - step * (len(values) - 1 - i)
            end = start + step - dt.timedelta(days=1)
            self.con.execute(
                "INSERT INTO overdose_events VALUES (?, 'test', ?, NULL, ?, ?, ?, ?, ?, 'all', NULL, 'count', ?, ?, ?, 1)",
                [f"{region}-{measure}-{period_type}-{i}", region, start, end, start.isoformat(), period_type, measure,
                 value, value is None, "Suppr." if value is None else None],
            )


@pytest.fixture
def wh() -> Warehouse:
    return Warehouse()
