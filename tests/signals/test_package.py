"""supplywatch.signals is a package of small modules; every name callers used on the old module still answers."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from supplywatch import signals

ROOT = Path(__file__).resolve().parents[2]
# Every signals.<name> used by pages, the loader, bench and tests before the split.
USED = ["DECIDERS", "DecisionError", "RULE_FUNCTIONS", "SignalSettings", "accept", "as_of", "as_of_note",
        "concentration_spike", "decide_dismiss", "default_as_of", "ears", "first_detection", "load",
        "load_settings", "main", "mann_whitney_greater", "newest_data_date", "overdose_spike", "positivity_rise",
        "run_all", "run_as_of", "save", "stored_suggestions", "two_proportion_test"]


@pytest.mark.parametrize("name", USED)
def test_old_names_answer(name):
    assert name in signals.__all__
    value = getattr(signals, name)
    home = importlib.import_module(f"supplywatch.signals.{signals._MODULE_OF[name]}")
    assert getattr(home, name) is value


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'supplywatch.signals' has no attribute 'nope'"):
        signals.nope  # noqa: B018


def test_default_settings_file_is_still_the_deployments(monkeypatch):
    monkeypatch.delenv("SUPPLYWATCH_SIGNALS", raising=False)
    assert signals.settings_path() == ROOT / "data" / "signals.toml"
