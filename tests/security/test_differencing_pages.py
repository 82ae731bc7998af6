"""Differencing attack across pages: This week's positivity rates and Emerging, together with Trends' views.

The attacker of tests/security/test_differencing.py again, with more pages to read: every public This week rate
(each headline substance, this week and the week before, every region, site, "sold as" and sample type filter and
none, the finds outside the denominator too) beside every public weekly Trends view of the same substances. Each
shown count is a set of atoms; every subtraction and every chain of sums and differences (the linear system) must
recover nothing. The old This week (7 days to the newest sample, each rate suppressed on its own) is replayed to
show the same attack does recover counts from it. Emerging must show the public bounds, never a count.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from supplywatch import metrics, public_headline, public_trends, public_week, suppression
from supplywatch.filters import Filters
from tests.security.conftest import CLASSES
from tests.security.test_differencing import (K, LAST_DAY, WEEK_END, atom, in_view, is_found, is_tested,
                                               overview_filters, period_of, public_cells, recovered, subtractions,
                                               window_of)

RATE_TARGETS = ("fentanyl", "xylazine")
MONDAYS = {"current": dt.date(2026, 2, 2), "previous": dt.date(2026, 1, 26)}


def is_outside(s: dict, target: str) -> bool:
    """Found by FTIR (able, not sensitive enough) in a sample no sensitive method tested."""
    by_ftir = s["ftir"] and any(name == target or CLASSES[name] == target for name in s["found"])
    return by_ftir and not is_tested(s, target)


def _cell(samples: list[dict], target: str, measure: str, value: int, status: str, where: str) -> dict:
    """A shown or hidden count as the attacker writes it: the atoms it sums (tested samples' for tested and found,
    the outside samples' for finds outside) and the samples it really counts."""
    if measure == "outside":
        counted = [s for s in samples if is_outside(s, target)]
        atoms = counted
    else:
        atoms = [s for s in samples if is_tested(s, target)]
        counted = [s for s in atoms if measure == "tested" or is_found(s, target)]
    return {"system": (target, measure), "atoms": frozenset(atom(s) for s in atoms),
            "ids": frozenset(s["sample_id"] for s in counted), "value": value, "status": status,
            "where": f"{where} {measure}"}


def week_cells(con, samples: list[dict], filters: list[Filters]) -> list[dict]:
    """Every count of This week's public rates (n, k and the finds outside n, both weeks) under ``filters``."""
    shared = {t: public_trends.protected(con, Filters(), t, K) for t in RATE_TARGETS}
    cells = []
    for f in filters:
        for week, monday in MONDAYS.items():
            members = [s for s in samples if in_view(s, f, "opioid") and period_of(s["date"], "week") == monday]
            for target in RATE_TARGETS:
                r = public_week.rate_of(shared[target], f, target, monday)
                where = (f"this week {week} {target} region={f.region} site={f.site} sold_as={f.expected}"
                         f" type={f.sample_type}")
                cells += [_cell(members, target, "tested", r["n"], r["n_status"], where),
                          _cell(members, target, "found", r["k"], r["k_status"], where),
                          _cell(members, target, "outside", r["outside"], r["outside_status"], where)]
    return cells


def trends_outside_cells(con, samples: list[dict], filters: list[Filters]) -> list[dict]:
    """Trends' note of finds outside the denominator, all samples and sold as an opioid, over all dates and over
    each week (a date range of one week), under ``filters``."""
    cells = []
    for target in RATE_TARGETS:
        prot = public_trends.protected(con, Filters(), target, K)
        for f in filters:
            for monday in (None, *sorted({period_of(s["date"], "week") for s in samples})):
                ranged = Filters(start=monday, end=monday, region=f.region, site=f.site, expected=f.expected,
                                 sample_type=f.sample_type)
                for population in ("all", "opioid"):
                    v = public_trends.view_of(prot, ranged, target, "week", None, population)
                    members = [s for s in samples if in_view(s, f, population)
                               and (monday is None or period_of(s["date"], "week") == monday)]
                    cells.append(_cell(members, target, "outside", v.outside, v.outside_status,
                                       f"trends {population} {monday} region={f.region} site={f.site}"
                                       f" sold_as={f.expected} type={f.sample_type}"))
    return cells


@pytest.fixture(scope="module")
def page_cells(differencing_con, differencing_samples) -> list[dict]:
    """This week's rates under every filter combination, with every weekly Trends view (every region, site and
    "sold as" filter, unsplit and by expected substance: a split by region shows the region filters' cells;
    test_differencing.py adds the sample type filter and the region split to Trends alone) and Trends' notes of
    finds outside the denominator: one system per substance and measure."""
    filters = overview_filters(differencing_samples)
    return (week_cells(differencing_con, differencing_samples, filters)
            + public_cells(differencing_con, differencing_samples, periods=("week",), targets=RATE_TARGETS,
                           groups=(None, "expected"))
            + trends_outside_cells(differencing_con, differencing_samples, overview_filters(differencing_samples, 1)))


# ------------------------------------------------------------------ This week is a Trends week

def test_the_public_week_is_the_trends_week_holding_the_newest_sample(differencing_con):
    """Newest sample Saturday 2026-02-07: the public week is Monday 02-02 to Sunday 02-08, whatever the filters;
    a date range ending on Wednesday 02-04 reads the same whole week."""
    assert public_headline.window_end(differencing_con, Filters()) == WEEK_END
    assert public_headline.window_end(differencing_con, Filters(region="Valley")) == WEEK_END
    assert public_headline.window_end(differencing_con, Filters(end=dt.date(2026, 2, 4))) == WEEK_END
    assert public_week.mondays(WEEK_END) == MONDAYS


def test_this_weeks_home_rates_are_shown_and_are_trends_cells(differencing_con):
    """Unfiltered, sold as an opioid, by hand: week 02-02, fentanyl tested (FTIR or strip) 10 + 6 + 6 + 12 (the
    Hills Van strip-only 4 have no fentanyl strip) + 2 residue = 36, all found; xylazine 10 + 4 + 6 + 6 + 12 + 2 =
    40, found 10 + 4 + 6 + 2 = 22. Week 01-26: fentanyl 8 + 3 + 9 + 1 + 5 + 5 + 3 + 6 = 40, found 35 (not
    Valley's heroin 5). The Pressie 2 (non-opioid) of 02-07 used to join an opioid block and hide the fentanyl n."""
    shared = {t: public_trends.protected(differencing_con, Filters(), t, K) for t in metrics.HEADLINE_TARGETS}
    rates = public_week.rates(shared, Filters(), WEEK_END)
    got = {(w, t): (r["n"], r["k"], r["n_status"], r["k_status"]) for w, rows in rates.items()
           for t, r in rows.items() if t in RATE_TARGETS}
    shown = suppression.SHOWN
    assert got == {("current", "fentanyl"): (36, 36, shown, shown), ("current", "xylazine"): (40, 22, shown, shown),
                   ("previous", "fentanyl"): (40, 35, shown, shown), ("previous", "xylazine"): (40, 15, shown, shown)}
    assert rates["current"]["fentanyl"]["share"] == 1.0
    trend = public_trends.view(differencing_con, Filters(), "fentanyl", "week", None, "opioid", K).rows
    assert [(r["n"], r["k"], r["n_status"]) for r in trend.to_dict("records")][-2:] == [(40, 35, shown),
                                                                                        (36, 36, shown)]


def test_each_filters_rate_is_the_trends_weekly_opioid_cell(differencing_con, differencing_samples):
    """For every single filter and none, both weeks: the same n, k and statuses as Trends' weekly view of samples
    sold as an opioid under that filter, and the same finds outside n as Trends' note for that week."""
    for target in RATE_TARGETS:
        prot = public_trends.protected(differencing_con, Filters(), target, K)
        for f in overview_filters(differencing_samples, 1):
            for monday in MONDAYS.values():
                r = public_week.rate_of(prot, f, target, monday)
                week = Filters(start=monday, end=monday, region=f.region, site=f.site, expected=f.expected,
                               sample_type=f.sample_type)
                v = public_trends.view_of(prot, week, target, "week", None, "opioid")
                rows = [(int(x["n"]), int(x["k"]), x["n_status"], x["k_status"], x["share"])
                        for x in v.rows.to_dict("records")] or [(0, 0, suppression.SHOWN, suppression.SHOWN, None)]
                assert rows == [(r["n"], r["k"], r["n_status"], r["k_status"], r["share"])], (target, f, monday)
                assert (v.outside, v.outside_status) == (r["outside"], r["outside_status"])


def test_this_week_counts_are_true(page_cells):
    assert [f"{c['where']}: shown {c['value']}, true {len(c['ids'])}" for c in page_cells
            if c["status"] == suppression.SHOWN and c["value"] != len(c["ids"])] == []
    assert any(c["status"] != suppression.SHOWN and c["value"] and c["where"].startswith("this week")
               for c in page_cells)  # filtered rates have small cells to protect


# ------------------------------------------------------------------ the attacks

def test_no_subtraction_across_this_week_and_trends_recovers_a_hidden_count(page_cells):
    assert subtractions(page_cells) == []


def test_no_chain_across_this_week_and_trends_recovers_a_hidden_count(page_cells):
    assert recovered(page_cells) == []


def old_week_cells(con, samples: list[dict], filters: list[Filters]) -> list[dict]:
    """The old public This week, replayed: the 7 days to the newest sample, each rate suppressed on its own."""
    cells = []
    for f in filters:
        h = metrics.headline(con, f, end=LAST_DAY)
        for week in ("current", "previous"):
            members = [s for s in samples if in_view(s, f, "opioid") and window_of(s["date"], LAST_DAY) == week]
            for target in RATE_TARGETS:
                row = suppression.suppress_rates(pd.DataFrame([h[week]["positivity"][target]]), K).iloc[0]
                where = f"old {week} {target} region={f.region} site={f.site} sold_as={f.expected} type={f.sample_type}"
                for measure, value, status in (("tested", row["n"], row["n_status"]),
                                               ("found", row["k"], row["k_status"])):
                    c = _cell(members, target, measure, int(value), status, where)
                    # the old windows are 7 days to a Saturday, not Trends weeks: atoms by window, not week
                    c["atoms"] = frozenset((week, *a[2:]) for a in c["atoms"])
                    cells.append(c)
    return cells


def test_the_same_attack_recovers_counts_from_the_old_this_week(differencing_con, differencing_samples):
    """Replayed on the old page, the attack works (so it has teeth): all regions minus the other regions' shown
    counts gives one region's hidden one."""
    cells = old_week_cells(differencing_con, differencing_samples, overview_filters(differencing_samples, 1))
    assert [c["where"] for c in cells if c["status"] == suppression.SHOWN and c["value"] != len(c["ids"])] == []
    found = subtractions(cells)
    # previous window (01-25..31), sold as an opioid, Valley: 1 (01-30) + 3 residue (01-27) found; Valley's heroin
    # 5 (strip negative) tested but not found
    assert "old previous fentanyl region=Valley site=None sold_as=None type=None found = 4" in found
    assert len(found) == 11 and len(recovered(cells)) == 11


# ------------------------------------------------------------------ the pages, as the public

def _public_page(page: str | None, lang: str = "en"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang, caption, fentanyl", [
    ("en", "The week of Monday Feb 2, 2026 to Sunday Feb 8, 2026, compared with the week before (counts cover "
           "whole weeks, as on Trends). Positivity is among samples sold as an opioid.", "100%"),
    ("fr", "La semaine du lundi 2 févr. 2026 au dimanche 8 févr. 2026, comparée à la semaine précédente (les "
           "effectifs couvrent des semaines entières, comme dans Tendances). La positivité porte sur les "
           "échantillons vendus comme opioïdes.", "100 %"),
])
def test_the_public_home_page_shows_the_trends_week_and_its_fentanyl_rate(differencing_app, lang, caption, fentanyl):
    """The week's days on the page; fentanyl in 36 of 36 opioid samples, the same cell as on Trends, shown."""
    at = _public_page(None, lang)
    assert caption in [c.value for c in at.caption]
    assert at.metric[1].value.replace("\u202f", " ").replace("\xa0", " ") == fentanyl


def test_the_public_home_page_gives_no_matched_or_median_count(differencing_app):
    """Matched: 42 FTIR samples with an expected substance this week (all but the strip-only 4), all matched but the
    Pressie 2 (bromazolam is a benzodiazepine: matched) ... shown only to the nearest 10 points, n as a bound."""
    at = _public_page(None)
    metrics_ = {m.label: m for m in at.metric}
    said = metrics_["Matched what people expected"].help
    assert said.startswith("About ") and "of 5 or more samples" in said
    assert metrics_["Median fentanyl %"].help in ("Median of 0 quantified samples.",
                                                  "Median of <5 quantified samples.",
                                                  "Median of 5 or more quantified samples.")


def test_the_public_emerging_page_shows_bounds_not_counts(differencing_app):
    """Every region x substance count as '<5' or '5 or more': Coast's bromazolam (the 2 Pressie samples) '<5',
    Hills' fentanyl '5 or more'."""
    at = _public_page("app_pages/emerging.py")
    tables = [df.value for df in at.dataframe if "Samples" in df.value.columns]
    assert tables
    assert {v for t in tables for v in t["Samples"]} <= {"0", "<5", "5 or more"}
    everything = tables[-1].set_index(["Region", "Substance"])["Samples"]
    assert everything[("Coast", "bromazolam")] == "<5"
    assert everything[("Valley", "heroin")] == "5 or more"  # exactly 5, as the staff see it
    assert everything[("Hills", "Fentanyl & analogues")] == "5 or more"
