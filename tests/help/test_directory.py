"""The help directory: a CSV loads completely or not at all, each bad row named by file, line and column; text is
plain text; entries for an alert's regions come in a fixed order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from supplywatch import cli, db, help_directory
from supplywatch.help_directory import HelpDirectoryError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "help"
NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone.utc)


def test_every_bad_row_is_named_and_nothing_is_loaded(isolated_db, capsys, published_calls):
    with pytest.raises(HelpDirectoryError) as exc:
        help_directory.parse(DATA / "messy.csv")
    assert str(exc.value).splitlines() == [
        "messy.csv line 2, column kind: 'drug checking' is not a kind of help; use one of drug_checking, naloxone, "
        "supervised_consumption, treatment, crisis_line, spotting_line",
        "messy.csv line 3, column name_fr: missing French for name_en 'Pharmacy'",
        "messy.csv line 4, column phone: phone 'call us': only digits, spaces, + at the start, and - ( ) . are allowed",
        "messy.csv line 5, column open_24_7: 'maybe': write yes or no",
        "messy.csv line 6, column hours_fr: missing French for hours_en 'Mon-Fri'",
        "messy.csv line 6, column url: 'javascript:alert(1)' refused: only http, https, mailto and tel links are allowed",
        "messy.csv line 7, column region: empty",
    ]
    help_directory.load(DATA / "clean.csv", "ada", NOW)
    assert cli.main(["help-directory", "load", str(DATA / "messy.csv")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 7 and err[1] == "error: messy.csv line 3, column name_fr: missing French for name_en 'Pharmacy'"
    assert [e.name["en"] for e in help_directory.current()] == ["Pharmacy", "Spotting line"]  # the old one stays


@pytest.mark.parametrize("phone, problem", [
    ("555-0101", None), ("+1 (555) 010-2000", None), ("811", None), ("12", "phone '12': 2 digits, expected 3 to 15"),
    ("555+0101", "phone '555+0101': only digits, spaces, + at the start, and - ( ) . are allowed"),
    ("555-0101 ext. 4", "phone '555-0101 ext. 4': only digits, spaces, + at the start, and - ( ) . are allowed"),
    ("1234567890123456", "phone '1234567890123456': 16 digits, expected 3 to 15"),
])
def test_phone_numbers(phone, problem):
    assert help_directory._phone(phone) == problem


def test_clean_file_loads_as_plain_text_with_its_link_parsed(isolated_db, capsys, published_calls):
    assert cli.main(["help-directory", "load", str(DATA / "clean.csv")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "loaded 2 help entries from clean.csv"
    pharmacy, line = help_directory.current()
    assert pharmacy.name == {"en": "Pharmacy", "fr": "Pharmacie"}  # markup and the script's text removed
    assert pharmacy.url == "https://pharmacy.example.org/naloxone" and pharmacy.open_24_7 is True
    assert pharmacy.line("en") == "Naloxone: Pharmacy, 240 Fort Ave., 24/7, +1 (555) 010-2000"
    assert pharmacy.line("fr") == "Naloxone : Pharmacie, 240 Fort Ave., 24 h sur 24, 7 jours sur 7, +1 (555) 010-2000"
    assert line.line("fr") == "Ligne d'accompagnement (ne consommez pas seul·e) : Ligne d'accompagnement, 24 h sur 24, " \
                              "7 jours sur 7, 555-0160"
    with db.app_connection() as con:
        assert con.execute("SELECT actor LIKE 'cli:%', source, entries FROM help_directory_loads").fetchall() == [
            (True, "clean.csv", 2)]
    assert cli.main(["help-directory", "list"]) == 0
    assert capsys.readouterr().out == ("Capital\tNaloxone: Pharmacy, 240 Fort Ave., 24/7, +1 (555) 010-2000\n"
                                       "*\tSpotting line (don't use alone): Spotting line, 24/7, 555-0160\n")


def test_the_demo_directory_loads_and_each_region_gets_its_own_then_everywhere(isolated_db):
    entries = help_directory.parse(ROOT / "data" / "help_directory.csv")
    assert len(entries) == 13 and all("555-01" in e.phone for e in entries)  # fictional numbers only
    shown = help_directory.for_regions(entries, ["Metro", "Capital"])
    assert [(e.region, e.kind) for e in shown] == [
        ("Metro", "drug_checking"), ("Metro", "naloxone"), ("Metro", "supervised_consumption"), ("Metro", "treatment"),
        ("Capital", "drug_checking"), ("Capital", "naloxone"), ("Capital", "supervised_consumption"),
        ("Capital", "treatment"), ("*", "crisis_line"), ("*", "spotting_line")]
    assert list(help_directory.by_region(entries)) == ["Capital", "Interior", "Metro", "North Coast", "Valley", "*"]


def test_an_empty_file_or_a_missing_column_is_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(help_directory.COLUMNS) + "\n")
    with pytest.raises(HelpDirectoryError, match=r"^empty.csv: no entries \(a header and at least one row are needed\)$"):
        help_directory.parse(empty)
    short = tmp_path / "short.csv"
    short.write_text("region,kind,name_en\nCapital,naloxone,Pharmacy\n")
    with pytest.raises(HelpDirectoryError, match=r"^short.csv line 1: missing column\(s\) name_fr, phone; expected "):
        help_directory.parse(short)


def test_loading_republishes_and_every_public_file_of_a_new_alert_says_where(draft, tmp_path):
    import json
    import os

    from supplywatch.alerts import store

    alert = draft()
    store.submit_for_review(alert.alert_id, "pat", NOW)
    store.approve(alert.alert_id, "rae", NOW)  # before the directory exists: nothing to show
    public = Path(os.environ["SUPPLYWATCH_PUBLIC_DIR"])
    assert "555-0160" not in (public / "board" / "alerts.html").read_text()
    assert cli.main(["help-directory", "load", str(DATA / "clean.csv")]) == 0  # feeds and boards rewritten at once
    assert "Spotting line (don&#x27;t use alone): Spotting line, 24/7, 555-0160" in (
        public / "board" / "alerts.html").read_text()
    item = json.loads((public / "feeds" / "alerts-fr.json").read_text())["items"][0]
    assert [h["phone"] for h in item["_supplywatch"]["help"]] == ["555-0160"]


def test_make_demo_loads_the_demo_directory(tmp_path):
    import os
    import subprocess

    from tests.delivery.test_webhook_only import _fake_bin

    log = tmp_path / "started.log"
    fake = _fake_bin(tmp_path / "bin", log)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPLYWATCH_")}
    out = subprocess.run(["make", "-s", "demo", f"BIN={fake}", f"DB={tmp_path / 'w.duckdb'}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert log.read_text().splitlines() == [f"python -m etl demo --db {tmp_path / 'w.duckdb'}",
                                            "python -m supplywatch help-directory load data/help_directory.csv"]
