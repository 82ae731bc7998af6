"""Every parameter of every signal rule, and how a deployment overrides them (data/signals.toml)."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

EARS_METHODS = ("C1", "C2", "C3")
# CDC EARS thresholds: C1 and C2 flag above 3 (baseline standard deviations), C3 above 2.
EARS_THRESHOLDS = {"C1": 3.0, "C2": 3.0, "C3": 2.0}


@dataclass(frozen=True)
class SignalSettings:
    """Every parameter of every rule; a deployment may override any of them."""

    lookback_days: int = 180  # first detection: not seen in the region in this many days before
    recent_days: int = 28  # window a signal must fall in to be suggested (and positivity's "this period")
    baseline_days: int = 84  # positivity and concentration: the trailing baseline before the recent window
    min_n: int = 20  # positivity: tested samples needed in each of the two periods
    alpha: float = 0.05  # one-sided significance level for positivity and concentration
    positivity_targets: tuple[str, ...] = ("fentanyl", "carfentanil", "nitazene", "benzodiazepine", "xylazine",
                                           "medetomidine")
    concentration_min_n: int = 10  # quantified samples needed in each period
    concentration_ratio: float = 1.25  # recent median must be at least this times the baseline median
    ears_method: str = "C2"  # C1 | C2 | C3
    ears_min_sigma: float = 0.5  # floor on the baseline SD so a flat baseline of zeros does not divide by 0
    ears_min_baseline: int = 5  # non-missing baseline periods needed (of 7)
    ears_recent_periods: int = 7  # flags in the last this-many periods (days or weeks) are suggested


def settings_path() -> Path:
    """``SUPPLYWATCH_SIGNALS``, else the deployment's data/signals.toml (optional)."""
    env = os.environ.get("SUPPLYWATCH_SIGNALS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data" / "signals.toml"


def load_settings(path=None) -> SignalSettings:
    """Defaults overridden by the ``[signals]`` table of a TOML file, when there is one.

    Unknown keys and values of the wrong type are refused with a one-line error naming the file and key.
    """
    path = Path(path) if path else settings_path()
    if not path.is_file():
        return SignalSettings()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("signals", {})
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None
    defaults = SignalSettings()
    values = {}
    for key, value in table.items():
        if not hasattr(defaults, key):
            raise ValueError(f"{path}: [signals] {key}: unknown setting")
        default = getattr(defaults, key)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{path}: [signals] {key}: expected a list of names")
            value = tuple(value)
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif type(value) is not type(default):
            raise ValueError(f"{path}: [signals] {key}: expected {type(default).__name__}, got {value!r}")
        values[key] = value
    settings = dataclasses.replace(defaults, **values)
    if settings.ears_method not in EARS_METHODS:
        raise ValueError(f"{path}: [signals] ears_method: choose one of {', '.join(EARS_METHODS)}")
    return settings
