"""Cells a spreadsheet would run as a formula (=, +, -, @, tab, CR first) made inert with a leading single quote.

Every table the dashboard shows goes through :func:`guard_frame` before ``st.dataframe``: Streamlit's own
"Download as CSV" and the grid's copy both carry exactly what is shown, and neither can be switched off for one
table only (``client.disableDataExport`` would take the export away from every table, including those with no
other download). So a sold-as value ``=cmd|' /C calc'!A0`` is shown, downloaded and copied as
``'=cmd|' /C calc'!A0``, as the CSV downloads (sample_table.to_csv, ``etl export``) already write it.
"""

from __future__ import annotations

import pandas as pd

PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: object) -> object:
    """Prefix a text cell with a single quote when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(PREFIXES):
        return "'" + value
    return value


def _is_text(series) -> bool:
    return series.dtype == object or str(series.dtype).startswith("str")


def guard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells, column labels and text index values cannot start a formula."""
    safe = df.copy()
    for i in range(safe.shape[1]):
        if _is_text(safe.iloc[:, i]):
            safe.isetitem(i, safe.iloc[:, i].map(guard_cell))
    safe.columns = [guard_cell(c) for c in safe.columns]
    if _is_text(safe.index.to_series()):
        safe.index = safe.index.map(guard_cell)
    return safe
