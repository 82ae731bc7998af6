"""Fixtures for the substance dictionary tests: the project dictionary, fixture files, the real BC names."""

import ast
import csv
from pathlib import Path

import pytest

from etl import substances

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "substances"
BC_FOLDER = "bc-drugchecking-2018-2020"


@pytest.fixture(scope="session")
def dictionary() -> substances.Dictionary:
    """The project's own data/substances.csv, validated."""
    return substances.load_dictionary()


@pytest.fixture
def fixture_path():
    """Path of a small dictionary file under tests/data/substances/."""
    return lambda name: FIXTURES / name


def read_bc_names(real_data: Path) -> tuple[dict[str, int], dict[str, int]]:
    """(FTIR component -> count, expected substance -> count) from the real DrugCheckingBC file."""
    path = next((real_data / BC_FOLDER).glob("*.csv"))
    components: dict[str, int] = {}
    expected: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for name in ast.literal_eval(row["FTIR Spectrometer"]):
                components[name] = components.get(name, 0) + 1
            expected[row["Expected Substance"]] = expected.get(row["Expected Substance"], 0) + 1
    return components, expected


@pytest.fixture
def bc_names(real_data):
    """Distinct component and expected names of the real BC file (skipped without the real data)."""
    return read_bc_names(real_data)
