"""Alerts as a CSV download: public fields only, formula-guarded."""

from __future__ import annotations

from .model import Alert


def alerts_csv(alerts: list[Alert], lang: str = "en") -> bytes:
    """Public fields of ``alerts`` as formula-guarded CSV (no evidence lines, no staff names)."""
    import pandas as pd

    from ..sample_table import to_csv

    rows = [
        {
            "alert_id": a.alert_id, "version": a.version, "status": a.status, "msg_type": a.msg_type,
            "severity": a.severity, "regions": "; ".join(a.regions), "substances": "; ".join(a.substances),
            "published_at": a.published_at.isoformat() if a.published_at else "",
            "expires_at": a.expires_at.isoformat(), "headline": a.text_for(lang).headline,
            "details": a.text_for(lang).details, "what_to_do": a.text_for(lang).what_to_do,
        }
        for a in alerts
    ]
    return to_csv(pd.DataFrame(rows, columns=[
        "alert_id", "version", "status", "msg_type", "severity", "regions", "substances", "published_at",
        "expires_at", "headline", "details", "what_to_do",
    ]))
