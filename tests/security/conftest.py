"""The ETL tests' in-process CLI runner and read-only query helper, for the attack tests."""

from tests.etl.conftest import cli, query  # noqa: F401  (pytest fixtures)
