"""What a reader on a phone sees first: what was found before the other sample columns, alerts before numbers,
each alert a link to the full alert."""

from __future__ import annotations

from .test_pages import frame, run, staff_account  # noqa: F401  (fixture)

FOUND_FIRST = ["FTIR found", "Lab found", "Sold as", "Fentanyl %", "Sample id"]


def test_samples_list_starts_with_what_was_found(fixture_db, staff_account):  # noqa: F811
    table = frame(run("samples", staff=True), "Sample id")
    assert list(table.columns[:5]) == FOUND_FIRST
    assert len(table.columns) == 18


def test_sample_lookup_starts_with_what_was_found(fixture_db):
    at = run("samples")
    at.text_input(key="smp_id").input("N07").run()
    one = at.dataframe[0].value
    assert list(one.columns[:3]) == ["FTIR found", "Lab found", "Fentanyl %"]
    assert one.iloc[0]["FTIR found"] == "carfentanil; fentanyl"


def test_samples_in_french_start_with_what_was_found(fixture_db, staff_account):  # noqa: F811
    table = frame(run("samples", staff=True, params={"lang": "fr"}), "Identifiant de l'échantillon")
    assert list(table.columns[:2]) == ["Trouvé par FTIR", "Trouvé en laboratoire"]
