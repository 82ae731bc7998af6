"""A messy little warehouse for differencing attacks, written from tests/data/differencing_samples.csv."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from supplywatch import db, findings, schema

FIXTURE = Path(__file__).parent.parent / "data" / "differencing_samples.csv"
CLASSES = {"fentanyl": "fentanyl", "xylazine": "alpha2_sedative", "bromazolam": "benzodiazepine",
           "heroin": "opioid_other", "methamphetamine": "stimulant"}


def fixture_samples(path: Path = FIXTURE) -> list[dict]:
    """One dict per sample (the file's `copies` expanded), with ids D001, D002, ..."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    out = []
    for row in csv.DictReader(lines):
        for _ in range(int(row.pop("copies"))):
            out.append({**row, "sample_id": f"D{len(out) + 1:03d}", "date": dt.date.fromisoformat(row["date"]),
                        "ftir": row["ftir"] == "true", "found": [x for x in row["found"].split(";") if x]})
    return out


def build(path: Path, samples: list[dict]) -> None:
    with db.writing_snapshot(path) as con:
        for name, cls in CLASSES.items():
            con.execute("INSERT INTO substances VALUES (?, ?, false, ?)", [name, cls, [name]])
        for s in samples:
            con.execute(
                "INSERT INTO samples (sample_id, source, collected_date, site, region, expected_raw,"
                " expected_substance, expected_class, sample_type, fentanyl_strip, xylazine_strip, ftir_tested,"
                " lab_tested, load_run_id) VALUES (?, 'Test service', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, 1)",
                [s["sample_id"], s["date"], s["site"], s["region"], s["sold_as"], s["expected_substance"] or None,
                 s["expected_class"], s["sample_type"], s["fentanyl_strip"] or None, s["xylazine_strip"] or None,
                 s["ftir"]],
            )
            for name in s["found"]:
                con.execute(schema.INSERT_DETECTION, [s["sample_id"], "ftir", name.title(), name, CLASSES[name],
                                                      False, True])
            for strip, target in (("fentanyl_strip", "fentanyl"), ("xylazine_strip", "xylazine")):
                if s[strip] == "positive":
                    con.execute(schema.INSERT_DETECTION,
                                [s["sample_id"], strip, "Positive", target, CLASSES[target], False, True])
        findings.refresh(con)


@pytest.fixture(scope="module")
def differencing_samples() -> list[dict]:
    return fixture_samples()


@pytest.fixture(scope="module")
def differencing_con(tmp_path_factory, differencing_samples):
    """A read-only connection to the warehouse built from the fixture file."""
    path = tmp_path_factory.mktemp("differencing") / "warehouse.duckdb"
    build(path, differencing_samples)
    con = db.connect_readonly(path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def differencing_path(tmp_path_factory, differencing_samples) -> Path:
    """The fixture warehouse as a file, for running the pages on it."""
    path = tmp_path_factory.mktemp("differencing_pages") / "warehouse.duckdb"
    build(path, differencing_samples)
    return path


@pytest.fixture
def differencing_app(differencing_path, tmp_path, monkeypatch) -> Path:
    """The dashboard pointed at the differencing warehouse, k at its default, no warming threads."""
    monkeypatch.setenv("SUPPLYWATCH_DB", str(differencing_path))
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_DIR", str(tmp_path / "public"))
    monkeypatch.delenv("SUPPLYWATCH_SUPPRESS_K", raising=False)
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    return differencing_path
