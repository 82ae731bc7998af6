"""Every download is guarded against formula injection: `etl export`, the board CSV, the Samples CSV and Streamlit's
own "Download as CSV" on every table (which carries what the table shows). The files are downloaded in Chromium
from a running app whose data holds hostile cells, and no cell may start with = + - @ tab or CR unguarded."""

from __future__ import annotations

import ast
import csv
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from supplywatch.formula_guard import guard_frame
from tests.browser import stack as app_stack
from tests.browser import ui
from tests.security.conftest import FOUND, HEADLINE, SITE, SOLD_AS

ROOT = Path(__file__).resolve().parents[2]
DANGER = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def unguarded(text: str) -> list[str]:
    """Cells of a CSV a spreadsheet would run as a formula (a plain number such as -0.5 is a number, not one)."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    return [cell for row in rows for cell in row if cell.startswith(DANGER) and not NUMBER.fullmatch(cell)]


def test_the_checker_sees_formulas():
    assert unguarded(f'a,b\n"{SOLD_AS.replace(chr(34), chr(34) * 2)}",-0.5\n') == [SOLD_AS]
    assert unguarded("a\n\"'=1+1\"\n-1+1\n") == ["-1+1"]


def test_guard_frame_quotes_text_labels_and_index_not_numbers():
    df = pd.DataFrame({"sold as": [SOLD_AS, "down", None], "=n": [1, -2, 3]}, index=["-r", "s", "t"])
    safe = guard_frame(df)
    assert safe["sold as"].tolist()[:2] == ["'" + SOLD_AS, "down"] and pd.isna(safe["sold as"].iloc[2])
    assert list(safe.columns) == ["sold as", "'=n"] and safe["'=n"].tolist() == [1, -2, 3]
    assert list(safe.index) == ["'-r", "s", "t"]
    assert df["sold as"].iloc[0] == SOLD_AS  # the caller's frame is left as it was


def _table_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "dataframe", "data_editor", "table"):
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "st":
                yield node


@pytest.mark.parametrize("path", sorted([*ROOT.glob("app_pages/*.py"), *ROOT.glob("supplywatch/**/*.py"),
                                         ROOT / "dashboard.py"]), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_shown_goes_through_the_guard(path):
    """Streamlit's table download and copy cannot be turned off per table: each table's data must be guarded."""
    for call in _table_calls(path):
        data = call.args[0] if call.args else None
        guarded = (isinstance(data, ast.Call) and isinstance(data.func, ast.Name) and data.func.id == "guard_frame")
        assert guarded, f"{path.relative_to(ROOT)}:{call.lineno}: st.{call.func.attr} without guard_frame(...)"


# ------------------------------------------------------------------ in Chromium, against a running app

def download(page, click) -> str:
    with page.expect_download() as info:
        click()
    return Path(info.value.path()).read_text(encoding="utf-8")


@pytest.mark.browser
def test_board_csv_download_is_guarded(page, hostile_app):
    ui.open_page(page, f"{hostile_app.url}/alerts")
    body = download(page, lambda: page.get_by_role("button", name="Download alerts (CSV)").click())
    assert unguarded(body) == []
    assert "'" + HEADLINE in next(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))["headline"]


@pytest.mark.browser
def as_staff(page, app) -> None:
    """The sample list and its downloads are for signed-in staff (a list of rows would undo suppression)."""
    name, _role, password = app_stack.POSTER
    ui.sign_in(page, app.url, name, password)


def test_samples_csv_download_is_guarded(page, hostile_app):
    as_staff(page, hostile_app)
    ui.open_page(page, f"{hostile_app.url}/samples")
    page.get_by_text("Prepare downloads of all").click()
    ui.wait_idle(page)
    body = download(page, lambda: page.get_by_role("button", name="Download CSV").click())
    assert unguarded(body) == []
    row = [r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))) if r["sample_id"] == hostile_app.sample_id][0]
    assert (row["expected_raw"], row["site"], row["ftir_found"]) == ("'" + SOLD_AS, "'" + SITE, "'" + FOUND)


@pytest.mark.browser
def test_table_toolbar_csv_download_is_guarded(page, hostile_app):
    """Streamlit's own "Download as CSV" on the samples table: what arrives is what the table shows, guarded."""
    as_staff(page, hostile_app)
    ui.open_page(page, f"{hostile_app.url}/samples")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    button = page.get_by_role("button", name="Download as CSV").first
    body = download(page, button.click)
    assert unguarded(body) == []
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert hostile_app.sample_id in rows[1]  # the newest sample first, as on the page (what was found leads it)
    assert {"'" + SOLD_AS, "'" + SITE, "'" + FOUND} <= set(rows[1])


def test_etl_export_is_guarded(hostile_app, tmp_path):
    out = tmp_path / "samples.csv"
    done = subprocess.run([app_stack.PYTHON, "-m", "etl", "export", "samples", "--output", str(out),
                           "--db", str(hostile_app.warehouse)], cwd=ROOT, env=hostile_app.env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    body = out.read_text(encoding="utf-8")
    assert unguarded(body) == []
    assert f'"\'{SOLD_AS}"' in body or f"'{SOLD_AS}" in body
