"""What a page run does on every visit, kept small: the public home page suppresses its rates in one pass, and the
numbers it shows stay the hand-counted ones (test_pages.py holds those)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from supplywatch import suppression


def run_overview() -> AppTest:
    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_public_overview_suppresses_its_thirteen_rates_in_one_pass(fixture_db, monkeypatch):
    """Six targets this week and last, plus "matched what people expected": one pandas pass (about 35 ms each on
    the reader's server), not thirteen."""
    calls = []
    real = suppression.suppress_rates

    def counting(df, *args, **kwargs):
        calls.append(len(df))
        return real(df, *args, **kwargs)

    monkeypatch.setattr(suppression, "suppress_rates", counting)
    at = run_overview()
    assert calls == [13]
    m = {x.label: x for x in at.metric}
    assert m["Opioid samples with Fentanyl & analogues"].value == "71%"  # 10 of 14, as in test_pages
    assert m["Opioid samples with Xylazine"].help == "<5 of 11 (rate not shown)"
    assert m["Matched what people expected"].help == "82% (95% CI 52%–95%), 9 of 11"  # N01-N07 of N01-N08, S01-S02 of S01-S03
