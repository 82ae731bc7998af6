"""Deployments tune the rules in data/signals.toml; bad settings are refused with the file and key named."""

import pytest

from supplywatch import signals


def test_defaults_without_a_file(tmp_path):
    assert signals.load_settings(tmp_path / "absent.toml") == signals.SignalSettings()


def test_overrides(tmp_path):
    path = tmp_path / "signals.toml"
    path.write_text('[signals]\nears_method = "C3"\nmin_n = 30\nalpha = 0\npositivity_targets = ["carfentanil"]\n')
    s = signals.load_settings(path)
    assert (s.ears_method, s.min_n, s.alpha, s.positivity_targets) == ("C3", 30, 0.0, ("carfentanil",))
    assert s.lookback_days == 180


@pytest.mark.parametrize(
    "body, message",
    [
        ("lookbak_days = 90", "[signals] lookbak_days: unknown setting"),
        ('min_n = "twenty"', "[signals] min_n: expected int, got 'twenty'"),
        ('ears_method = "C4"', "[signals] ears_method: choose one of C1, C2, C3"),
        ("positivity_targets = 3", "[signals] positivity_targets: expected a list of names"),
    ],
)
def test_bad_settings_are_named(tmp_path, body, message):
    path = tmp_path / "signals.toml"
    path.write_text(f"[signals]\n{body}\n")
    with pytest.raises(ValueError) as err:
        signals.load_settings(path)
    assert str(err.value) == f"{path}: {message}"


def test_env_points_at_the_file(tmp_path, monkeypatch):
    path = tmp_path / "mine.toml"
    path.write_text('[signals]\nears_method = "C1"\n')
    monkeypatch.setenv("SUPPLYWATCH_SIGNALS", str(path))
    assert signals.load_settings().ears_method == "C1"
