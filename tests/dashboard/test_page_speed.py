"""What a page run does on every visit, kept small: the public home page runs no suppression pass of its own, and
the numbers it shows stay the hand-counted ones (test_pages.py holds those)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from supplywatch import suppression


def run_overview() -> AppTest:
    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_public_overview_runs_no_suppression_pass_of_its_own(fixture_db, monkeypatch):
    """The public rates are cells of the Trends margins, protected once per data version and shared by every reader
    (supplywatch.public_week): no per-visit pandas pass (about 35 ms on the reader's server) is left to run."""
    calls = []
    real = suppression.suppress_rates

    def counting(df, *args, **kwargs):
        calls.append(len(df))
        return real(df, *args, **kwargs)

    monkeypatch.setattr(suppression, "suppress_rates", counting)
    at = run_overview()
    assert calls == []
    m = {x.label: x for x in at.metric}
    assert m["Opioid samples with Fentanyl & analogues"].help == "suppressed of 14 (rate not shown)"  # test_pages
    assert m["Opioid samples with Xylazine"].help == "<5 of 11 (rate not shown)"
    assert m["Matched what people expected"].help == "Fewer than 20 samples: not shown."
