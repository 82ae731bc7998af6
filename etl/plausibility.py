"""Values that read correctly but cannot be true: rejected with a reason, the line and the column.

A sample dated after the day it is loaded has not been checked yet (9999-12-31 is a placeholder or a typo, and it
would stretch every date range to the year 9999); one dated before the service started is a typo too. A count of
overdoses is a whole number of people, never negative, never NaN or infinite; a percentage lies in 0-100.

Each function returns ``(condition SQL, reason SQL)`` pairs for :func:`etl.checks.check`; ``shown`` is the SQL
that quotes the value as written.
"""

from __future__ import annotations

import datetime as dt

from supplywatch.db import sql_literals

# The earliest date a sample can have unless the profile (service_start) or --service-start says otherwise:
# earlier dates are typos (0204 for 2024, 1924 for 2024), not drug-checking results.
DEFAULT_SERVICE_START = dt.date(1990, 1, 1)


def load_day() -> dt.date:
    """The day of the load: the later of the local and the UTC date, so a sample dated today anywhere passes."""
    return max(dt.date.today(), dt.datetime.now(dt.timezone.utc).date())


def sample_date_checks(date_sql: str, shown: str, service_start: dt.date | None,
                       today: dt.date) -> list[tuple[str, str]]:
    """A parsed sample date after the load day, or before the service start."""
    start = service_start or DEFAULT_SERVICE_START
    return [
        (f"{date_sql} > DATE {sql_literals([today.isoformat()])}",
         f"{shown} || {sql_literals([f' is after the load day ({today.isoformat()})'])}"),
        (f"{date_sql} < DATE {sql_literals([start.isoformat()])}",
         f"{shown} || {sql_literals([f' is before the service start ({start.isoformat()}; set service_start or --service-start)'])}"),
    ]


def finite_check(num_sql: str, shown: str) -> tuple[str, str]:
    """NaN and infinity parse as numbers but are none."""
    return f"(isnan({num_sql}) OR isinf({num_sql}))", f"{shown} || ' is not a finite number'"


def overdose_value_checks(num_sql: str, unit_sql: str, shown: str) -> list[tuple[str, str]]:
    """A value that is not plausible for its unit (only reached when the value read as a number)."""
    return [
        finite_check(num_sql, shown),
        (f"{unit_sql} = 'count' AND {num_sql} < 0", f"{shown} || ' is a negative count'"),
        (f"{unit_sql} = 'count' AND {num_sql} <> floor({num_sql})", f"{shown} || ' is not a whole count'"),
        (f"{unit_sql} = 'percent' AND ({num_sql} < 0 OR {num_sql} > 100)", f"{shown} || ' is outside 0-100 (percent)'"),
        (f"{unit_sql} IN ('rate', 'age_adjusted_rate') AND {num_sql} < 0", f"{shown} || ' is a negative rate'"),
    ]
