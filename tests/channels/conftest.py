"""Alerts for the channel tests, built with the real model (no database needed)."""

import datetime as dt

import pytest

from supplywatch.alerts.model import Alert, AlertText

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BASE_URL = "https://alerts.example.org"


def make_alert(**overrides) -> Alert:
    """A published carfentanil warning in two regions; any field can be overridden."""
    fields = dict(
        alert_id="SW-2026-0007",
        version=1,
        status="published",
        msg_type="Alert",
        severity="warning",
        text={
            "en": AlertText(
                headline="Carfentanil found in down sold as fentanyl",
                details="Two samples checked this week at the Main St site held carfentanil, about 100 times "
                "stronger than fentanyl.",
                what_to_do="Don't use alone. Carry naloxone and start low, go slow. Call 911 in an overdose.",
            ),
            "fr": AlertText(
                headline="Carfentanil trouvé dans du down vendu comme fentanyl",
                details="Deux échantillons analysés cette semaine au site de la rue Main contenaient du "
                "carfentanil, environ 100 fois plus fort que le fentanyl.",
                what_to_do="Ne consommez pas seul·e. Ayez de la naloxone et commencez par une petite dose. "
                "Appelez le 911 en cas de surdose.",
            ),
        },
        substances=("carfentanil",),
        regions=("Vancouver Coastal", "Île-de-Montréal"),
        evidence=("sample DC-1 2026-11-20", "sample DC-2 2026-11-21"),
        created_at=NOW - dt.timedelta(hours=2),
        published_at=NOW - dt.timedelta(hours=1),
        expires_at=NOW + dt.timedelta(days=14),
        author="poster1",
        approver="reviewer1",
        references=None,
    )
    fields.update(overrides)
    return Alert(**fields)


@pytest.fixture
def alert() -> Alert:
    return make_alert()
