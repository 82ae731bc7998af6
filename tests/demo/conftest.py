"""Demo files generated once per session, read back with the csv module (independently of the ETL)."""

from __future__ import annotations

import pytest

from etl import demo_data

from .demo_csv import read_rows

STORY_SAMPLES = 20_000  # the default demo size; the stories are tuned to show at this size


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory) -> demo_data.DemoFiles:
    """The default demo (seed 42, 20,000 samples) written once for the story tests."""
    return demo_data.generate(tmp_path_factory.mktemp("demo"), samples=STORY_SAMPLES, seed=42)


@pytest.fixture(scope="session")
def samples(demo_files) -> list[dict[str, str]]:
    return read_rows(demo_files.samples)


@pytest.fixture(scope="session")
def overdoses(demo_files) -> list[dict[str, str]]:
    return read_rows(demo_files.overdoses)
