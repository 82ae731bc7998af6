"""Signals that draft alerts for staff review (docs/signals.md); no Streamlit here.

Each rule is a function over a read-only warehouse connection (``rule(con, now,
settings) -> list[Suggestion]``), built on pure statistics over small series that the
unit tests check by hand. A signal never publishes: it is stored once in the app file
(``signal_suggestions``, keyed so the same signal is not suggested twice), and staff
accept it into a draft alert or dismiss it with a reason. docs/signals.md describes
every rule, its parameters and examples.

The package, from the ground up: ``settings`` (parameters), ``suggestion`` (what a rule returns),
``statistics`` (pure), ``rules``, ``persistence`` (the app file), ``workflow`` (run, accept, dismiss),
``cli``. Callers keep writing ``from supplywatch import signals`` and ``signals.<name>``: each name below is
read from its module on first use, so a command that only parses its options (``supplywatch runs``, ``python -m
supplywatch.signals --help``) does not pay for pandas, which the rules need through supplywatch.metrics.
"""

from __future__ import annotations

import importlib

_HOME = {
    "cli": ("main",),
    "persistence": ("STATUSES", "DecisionError", "Stored", "dismiss", "load", "mark_accepted", "save"),
    "rules": ("MEASURES", "RULE_FUNCTIONS", "concentration_spike", "first_detection", "overdose_spike",
              "positivity_rise", "run_all", "target_label"),
    "settings": ("EARS_METHODS", "EARS_THRESHOLDS", "SignalSettings", "load_settings", "settings_path"),
    "statistics": ("ears", "mann_whitney_greater", "normal_sf", "two_proportion_test"),
    "suggestion": ("Suggestion",),
    "workflow": ("DECIDERS", "accept", "as_of", "as_of_note", "decide_dismiss", "default_as_of",
                 "newest_data_date", "run_and_store", "run_as_of", "stored_suggestions"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """``signals.<name>``: the name from the module that defines it (imported on first use, then kept)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
