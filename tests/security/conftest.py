"""The attack suite reuses the alert tests' staff accounts, frozen clock, cheap argon2 and publish recorder and
the channel tests' alert and the ETL tests' CLI runner; for the browser tests it runs one app whose data holds
hostile cells, links and text; for the differencing attacks, a messy little warehouse written from
tests/data/differencing_samples.csv."""

import csv
import datetime as dt
import os
import subprocess
import textwrap
from pathlib import Path

import duckdb
import pytest

from supplywatch import db, findings, first_seen, metrics, schema
from tests.alerts.conftest import cheap_hashes, draft, make_text, now, published_calls, staff  # noqa: F401  (fixtures)
from tests.browser import stack as app_stack
from tests.browser import ui
from tests.channels.conftest import alert  # noqa: F401  (fixture)
from tests.dashboard.conftest import dashboard_on
from tests.etl.conftest import cli, query  # noqa: F401  (fixtures: in-process ETL CLI, read-only query)

ROOT = Path(__file__).resolve().parents[2]
SOLD_AS = "=cmd|' /C calc'!A0"
SITE = "@SUM(1+1)*cmd|' /C calc'!A0"
FOUND = "-2+3+cmd|' /C calc'!A0"
HEADLINE = '=HYPERLINK("https://evil.example","Details") Carfentanil found in down'
PIXEL = "https://example.org/)![t](https://evil.example/pixel.png"
LEGACY_LINKS = ["https://example.org/naloxone", PIXEL]
GOOD_LINK = "https://example.org/advisory"


def _poison(app) -> str:
    """Hostile cells in the newest sample, external alerts with the pixel and a good link, and a published alert
    with a formula headline and (as if stored before links were parsed) the pixel link; returns the sample id."""
    with duckdb.connect(str(app.warehouse)) as con:
        sid = con.execute("SELECT sample_id FROM samples ORDER BY collected_date DESC, sample_id LIMIT 1").fetchone()[0]
        con.execute("UPDATE samples SET expected_raw = ?, site = ? WHERE sample_id = ?", [SOLD_AS, SITE, sid])
        con.execute("UPDATE detections SET substance = NULL, substance_raw = ? WHERE sample_id = ? AND method = 'ftir'",
                    [FOUND, sid])
        metrics.keep_summaries(con)  # edited in place: the pages' summaries must show the hostile cells too
        # alerts issued elsewhere, loaded by the ETL (whose own check lets the pixel link through), newest of all
        day = con.execute("SELECT max(collected_date) + 1 FROM samples").fetchone()[0]
        for key, title, link in (("x-pixel", "Pixel advisory", PIXEL), ("x-good", "Good advisory", GOOD_LINK)):
            con.execute("INSERT INTO alerts VALUES (?, 'Health unit', ?, NULL, 'advisory', ?, NULL, ?, 1)",
                        [key, day, title, link])
    script = textwrap.dedent(f"""
        import datetime as dt
        import os
        import duckdb
        from supplywatch.alerts import store
        now = dt.datetime.now(dt.timezone.utc)
        text = {{lang: {{"headline": {HEADLINE!r}, "details": "+1 more sample", "what_to_do": "-Carry naloxone."}}
                for lang in ("en", "fr")}}
        a = store.create_draft(text=text, severity="warning", regions=["@Capital"], substances=["carfentanil"],
                               actor="{app_stack.POSTER[0]}", now=now)
        store.submit_for_review(a.alert_id, "{app_stack.POSTER[0]}", now)
        store.approve(a.alert_id, "{app_stack.REVIEWER[0]}", now)
        # a link stored before links were parsed (the store refuses it now): the board must still not render it
        with duckdb.connect(os.environ["SUPPLYWATCH_APP_DB"]) as con:
            con.execute("UPDATE alert_versions SET links = ? WHERE alert_id = ?", [{LEGACY_LINKS!r}, a.alert_id])
    """)
    subprocess.run([app_stack.PYTHON, "-c", script], cwd=ROOT, env=app.env, check=True, capture_output=True)
    return sid


@pytest.fixture(scope="package")  # stopped once the attack suite is done
def hostile(tmp_path_factory):
    """(stack, chromium): the app on a small demo warehouse poisoned by :func:`_poison`, and one browser."""
    if not os.path.exists(app_stack.CHROMIUM):
        pytest.skip(f"{app_stack.CHROMIUM} is missing: `make browser` installs Debian chromium")
    s = app_stack.build(tmp_path_factory.mktemp("hostile-app"), samples=300)
    s.sample_id = _poison(s)
    try:
        app_stack.start(s)
        with app_stack.chromium() as chromium:
            yield s, chromium
    finally:
        app_stack.stop(s)


@pytest.fixture(scope="package")  # stopped once the attack suite is done
def hostile_app(hostile):
    return hostile[0]


# Streamlit saves a table's CSV through the File System Access API when the browser has it (a native dialog
# headless Chromium cannot answer); without it, it falls back to an ordinary download playwright can catch.
NO_SAVE_PICKER = "window.showSaveFilePicker = async () => { throw new Error('no save dialog in tests'); };"


@pytest.fixture
def page(hostile):
    context = hostile[1].new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(ui.TIMEOUT_MS)
    context.add_init_script(NO_SAVE_PICKER)
    page = context.new_page()
    yield page
    context.close()



# ---------------------------------------------------------------- differencing attacks

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
        first_seen.rebuild(con)  # and the first/last-seen summary it keeps
        metrics.keep_summaries(con)  # and the weekly positivity summary


@pytest.fixture(scope="module")
def differencing_samples() -> list[dict]:
    return fixture_samples()


def built(tmp_path_factory, name: str, samples: list[dict]) -> Path:
    """A warehouse written from ``samples`` in a fresh folder named after ``name``."""
    path = tmp_path_factory.mktemp(name) / "warehouse.duckdb"
    build(path, samples)
    return path


@pytest.fixture(scope="module")
def differencing_con(tmp_path_factory, differencing_samples):
    """A read-only connection to the warehouse built from the fixture file."""
    con = db.connect_readonly(built(tmp_path_factory, "differencing", differencing_samples))
    yield con
    con.close()


@pytest.fixture(scope="module")
def differencing_path(tmp_path_factory, differencing_samples) -> Path:
    """The fixture warehouse as a file, for running the pages on it."""
    return built(tmp_path_factory, "differencing_pages", differencing_samples)


@pytest.fixture
def differencing_app(differencing_path, tmp_path, monkeypatch) -> Path:
    """The dashboard pointed at the differencing warehouse, k at its default, no warming threads."""
    return dashboard_on(differencing_path, tmp_path, monkeypatch)
