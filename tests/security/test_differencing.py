"""Differencing attack on the public trend views: every view the public can ask for, every subtraction tried.

The attacker enumerates every public Trends view of the fixture (each substance, weekly and monthly, all samples
and samples sold as an opioid, every region, site and "sold as" filter and none, split by nothing, region or
expected substance, and the totals) and writes each shown count as a set of atoms (what the public can tell
samples apart by). Two attacks: a shown total minus shown cells from any views that exactly cover the rest of it
(must recover nothing), and any chain of sums and differences (a linear system; a known limit for weekly views).
"""

from __future__ import annotations

import datetime as dt
from itertools import product

import numpy as np
import pandas as pd
import pytest

from supplywatch import metrics, public_headline, public_trends, suppression
from supplywatch.filters import Filters
from tests.security.conftest import CLASSES

K = 5
TARGETS = ("fentanyl", "xylazine", "benzodiazepine")
STRIP = {"fentanyl": "fentanyl_strip", "xylazine": "xylazine_strip"}
OPIOID = ("fentanyl", "nitazene", "opioid_other", "opioid_unspecified")


# ------------------------------------------------------------------ what each sample is, by hand

def is_tested(s: dict, target: str) -> bool:
    """Tested by a method sensitive enough for the target (the positivity denominator): FTIR only where it is."""
    sensitive = metrics.sensitive_methods(target)
    by_ftir = "ftir" in sensitive and s["ftir"]
    return by_ftir or (STRIP.get(target) in sensitive and s.get(STRIP[target], "") in ("positive", "negative"))


def is_found(s: dict, target: str) -> bool:
    """Found by any method able to report it, in a sample in the denominator."""
    by_ftir = s["ftir"] and any(name == target or CLASSES[name] == target for name in s["found"])
    return is_tested(s, target) and (by_ftir or s.get(STRIP.get(target, ""), "") == "positive")


def period_of(day: dt.date, period: str) -> dt.date:
    """The public week (its Monday) or month: the month holding the week's Thursday."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday if period == "week" else (monday + dt.timedelta(days=3)).replace(day=1)


def group_of(s: dict, group: str | None):
    if group == "region":
        return s["region"]
    if group == "expected":
        return s["expected_substance"] or s["expected_class"] or "?"
    return None


def in_view(s: dict, f: Filters, population: str) -> bool:
    return ((f.region is None or s["region"] == f.region) and (f.site is None or s["site"] == f.site)
            and (f.expected is None or s["sold_as"] == f.expected)
            and (f.sample_type is None or s["sample_type"] == f.sample_type)
            and (population == "all" or s["expected_class"] in OPIOID))


def _day(value) -> dt.date:
    return pd.Timestamp(value).date()


# ------------------------------------------------------------------ the attacker's equations

def public_cells(con, samples: list[dict], periods=("week", "month"), types=(None,), targets=TARGETS,
                 groups=(None, "region", "expected")) -> list[dict]:
    """Every count the public sees in every trend view, with the samples it counts and its status (``groups``:
    the splits; a split by region repeats the region filters' cells)."""
    regions = sorted({s["region"] for s in samples})
    sites = sorted({s["site"] for s in samples})
    sold = sorted({s["sold_as"] for s in samples})
    cells = []
    for target in targets:
        shared = {}  # the protected margins each filter reads, as the pages get them (under its outer filters)
        for period in periods:
            for population in ("all", "opioid"):
                for region in (None, *regions):
                    for site in (None, *sites):
                        for sold_as, sample_type in product((None, *sold), types):
                            f = Filters(region=region, site=site, expected=sold_as, sample_type=sample_type)
                            key = public_trends.outer(f)
                            if key not in shared:
                                shared[key] = public_trends.protected(con, key, target, K)
                            prot = shared[key]
                            members = [s for s in samples if in_view(s, f, population)]
                            if not members:
                                continue
                            for group in groups:
                                cells += _view_cells(prot, f, target, period, group, population, members)
    return cells


def atom(s: dict) -> tuple:
    """What the public can tell samples apart by: week, month, region, site, "sold as" and sample type."""
    return (period_of(s["date"], "week"), period_of(s["date"], "month"), s["region"], s["site"], s["sold_as"],
            s["sample_type"])


def _view_cells(prot, f, target, period, group, population, members) -> list[dict]:
    v = public_trends.view_of(prot, f, target, period, group, population)
    where = (f"{target} {period} {population} region={f.region} site={f.site} sold_as={f.expected}"
             f" type={f.sample_type} split={group}")

    def cell(samples, measure, value, status, label):
        tested = [s for s in samples if is_tested(s, target)]
        ids = [s["sample_id"] for s in tested if measure == "tested" or is_found(s, target)]
        return {"system": (target, measure), "atoms": frozenset(atom(s) for s in tested), "ids": frozenset(ids),
                "value": value, "status": status, "where": f"{label} {measure}"}

    out = [cell(members, "tested", v.total, v.total_status, f"{where} total")]
    for r in v.rows.to_dict("records"):
        day = _day(r["period"])
        inside = [s for s in members if period_of(s["date"], period) == day and group_of(s, group) == r["grp"]]
        label = f"{where} {day} {r['grp']}"
        out.append(cell(inside, "tested", int(r["n"]), r["n_status"], label))
        out.append(cell(inside, "found", int(r["k"]), r["k_status"], label))
    return out


def recovered(cells: list[dict]) -> list[str]:
    """Hidden cells whose value is a sum and difference of shown cells of the same measure of the same substance.

    The unknowns are the counts per atom (the attacker cannot tell samples of one atom apart, and does not know
    which tested samples were found): one linear system per substance and measure.
    """
    out = []
    for system in sorted({c["system"] for c in cells}):
        mine = [c for c in cells if c["system"] == system]
        index = {a: i for i, a in enumerate(sorted(set().union(*(c["atoms"] for c in mine))))}

        def vector(atoms):
            v = np.zeros(len(index))
            v[[index[a] for a in atoms]] = 1.0
            return v

        shown = {c["atoms"] for c in mine if c["status"] == suppression.SHOWN}
        span = np.zeros((0, len(index)))
        if shown:
            _, sv, vt = np.linalg.svd(np.array([vector(a) for a in shown]), full_matrices=False)
            span = vt[sv > 1e-9]
        seen = set()
        for c in mine:
            if c["status"] == suppression.SHOWN or c["atoms"] in seen or not c["value"]:
                continue
            seen.add(c["atoms"])
            h = vector(c["atoms"])
            if np.abs(h - span.T @ (span @ h)).max() < 1e-6:
                out.append(f"{c['where']} = {c['value']}")
    return out


# ------------------------------------------------------------------ the tests

def test_the_public_numbers_are_the_true_counts(differencing_con, differencing_samples):
    """The attacker's equations are right: every shown count is the number of samples it claims."""
    cells = public_cells(differencing_con, differencing_samples, periods=("week",))
    wrong = [f"{c['where']}: shown {c['value']}, true {len(c['ids'])}"
             for c in cells if c["status"] == suppression.SHOWN and c["value"] != len(c["ids"])]
    assert wrong == []
    assert any(c["status"] != suppression.SHOWN for c in cells)  # the fixture has small cells to protect


def test_unsplit_minus_split_by_region_recovers_nothing(differencing_con):
    """The reported attack: xylazine in the week of 2026-01-19 is 19 in all regions; Valley has 2."""
    unsplit = public_trends.view(differencing_con, Filters(), "xylazine", "week", None, "all", K).rows
    split = public_trends.view(differencing_con, Filters(), "xylazine", "week", "region", "all", K).rows
    week = [_day(p) == dt.date(2026, 1, 19) for p in unsplit["period"]]
    total = unsplit[week].iloc[0]
    assert (int(total["k"]), total["k_status"]) == (19, suppression.SHOWN)
    rows = split[[_day(p) == dt.date(2026, 1, 19) for p in split["period"]]].set_index("grp")
    assert (int(rows.loc["Valley", "k"]), rows.loc["Valley", "k_status"]) == (2, suppression.SMALL)
    shown = int(rows.loc[rows["k_status"] == suppression.SHOWN, "k"].sum())
    assert (rows["k_status"] != suppression.SHOWN).sum() >= 2, f"19 - {shown} gives Valley's 2 away"


def subtractions(cells: list[dict]) -> list[str]:
    """Hidden cells equal to a shown total minus shown cells (from any views) that exactly cover the rest of it."""
    out = []
    for system in sorted({c["system"] for c in cells}):
        mine = [c for c in cells if c["system"] == system]
        shown = {c["atoms"] for c in mine if c["status"] == suppression.SHOWN and c["atoms"]}
        hidden = {c["atoms"]: c for c in mine if c["status"] != suppression.SHOWN and c["value"]}
        for atoms, c in hidden.items():
            if any(total > atoms and _covered(total - atoms, shown) for total in shown):
                out.append(f"{c['where']} = {c['value']}")
    return out


def _covered(rest: frozenset, shown: set, depth: int = 12) -> bool:
    """Can ``rest`` be written as a disjoint union of shown cells? (exact cover, smallest first atom first)"""
    if not rest:
        return True
    if depth == 0:
        return False
    atom = min(rest)
    return any(_covered(rest - cell, shown, depth - 1) for cell in shown if atom in cell and cell <= rest)


@pytest.mark.parametrize("period", ["week", "month"])
def test_no_subtraction_across_public_trend_views_recovers_a_hidden_count(differencing_con, differencing_samples,
                                                                          period):
    """Total minus the shown cells, the total and the cells taken from any public views of the same substance."""
    cells = public_cells(differencing_con, differencing_samples, periods=(period,))
    assert subtractions(cells) == []


@pytest.mark.parametrize("period", ["week", "month"])
def test_no_subtraction_across_sample_types_recovers_a_hidden_count(differencing_con, differencing_samples, period):
    """All sample types minus drugs is residue: the sample type filter is one more dimension of the same counts."""
    cells = public_cells(differencing_con, differencing_samples, periods=(period,), types=(None, "drug", "residue"))
    assert any(c["status"] != suppression.SHOWN and "type=residue" in c["where"] for c in cells)
    assert subtractions(cells) == []


@pytest.mark.parametrize("period", ["week", "month"])
def test_no_chain_of_sums_and_differences_recovers_a_hidden_count(differencing_con, differencing_samples, period):
    """Per-view complementary suppression left 9 weekly xylazine tested counts to chains through several views."""
    cells = public_cells(differencing_con, differencing_samples, periods=(period,))
    assert any(c["status"] != suppression.SHOWN and c["value"] for c in cells)
    assert recovered(cells) == []


def test_no_chain_across_weekly_monthly_and_sample_type_views_recovers_a_hidden_count(differencing_con,
                                                                                       differencing_samples):
    """Weekly and monthly views together, with the sample type filter: one system of equations for the attacker."""
    cells = public_cells(differencing_con, differencing_samples, periods=("week", "month"),
                         types=(None, "drug", "residue"))
    assert recovered(cells) == []


def test_a_public_month_is_the_weeks_whose_thursday_it_holds(differencing_con):
    """The week of 2026-01-26 (Thursday 01-29) is January's, its Sunday 02-01 included, so no week is cut in two.

    Xylazine tested (FTIR or xylazine strip) and found, by hand: week 01-19: 6 + 5 + 2 + 6 + 3 + 1 + 4 FTIR and 7
    strip-negative = 34, found 6 + 5 + 2 + 6 = 19; week 01-26: 8 + 3 + 9 + 1 + 5 drug and 3 + 6 residue FTIR, and
    02-01's 6 + 5 = 46, found 9 + 1 + 5 = 15; week 02-02: 10 + 4 (strip) + 6 + 6 + 12 + 2 drug and 2 residue (strip)
    = 42, found 10 + 4 + 6 + 2 = 22. Calendar months would give January 69 and February 53. The tested counts over
    all samples are hidden: February's only samples not sold as an opioid (2 Pressie) join January's, and the
    months' opioid counts stay whole instead (80 − 11 stimulant = 69 and 42 − 2 = 40).
    """
    rows = public_trends.view(differencing_con, Filters(), "xylazine", "month", None, "all", K).rows
    assert [(_day(r["period"]), r["n"], r["k"], r["n_status"], r["k_status"]) for r in rows.to_dict("records")] == [
        (dt.date(2026, 1, 1), 80, 34, suppression.COMPLEMENTARY, suppression.SHOWN),
        (dt.date(2026, 2, 1), 42, 22, suppression.COMPLEMENTARY, suppression.SHOWN)]
    opioid = public_trends.view(differencing_con, Filters(), "xylazine", "month", None, "opioid", K).rows
    assert [(r["n"], r["n_status"]) for r in opioid.to_dict("records")] == [(69, suppression.SHOWN),
                                                                            (40, suppression.SHOWN)]


def test_a_hidden_count_hides_its_rate_as_none(differencing_con):
    """Pages write '—' for a rate that ``is None``; a NaN would print as 'NaN%' beside a hidden count."""
    rows = public_trends.view(differencing_con, Filters(), "xylazine", "week", "region", "all", K).rows
    hidden = (rows["n_status"] != suppression.SHOWN) | (rows["k_status"] != suppression.SHOWN)
    assert hidden.sum() >= 2
    for col in ("share", "lo", "hi"):
        assert [v for v in rows.loc[hidden, col]] == [None] * int(hidden.sum())
    shown = rows[~hidden]
    # Found (k) blocks, by hand: week 01-19, Valley's 2 joins the smallest block of the week, Hills Van's 5, so
    # Hills (11) and Valley are hidden and Coast's 6 (of 6 + 3 + 7 tested) stays; week 01-26, Valley's 1 joins
    # Hills' Mobile Van 5 on 02-01, Coast 9 of 9 + 6 stays; week 02-02: Hills 10 + 4 of 14, Valley 0 of 6. Coast's
    # 6 + 2 found stay but its 6 + 12 + 2 + 2 tested do not: the 2 Pressie samples (sold as a benzodiazepine) are
    # the week's only tested samples not sold as an opioid, so they join January's other samples, not an opioid
    # block (which would hide the week's opioid count, This week's rate).
    assert [(r["grp"], r["k"], r["n"], r["share"]) for r in shown.to_dict("records")] == [
        ("Coast", 6, 16, 6 / 16), ("Coast", 9, 15, 9 / 15), ("Hills", 14, 14, 1.0), ("Valley", 0, 6, 0.0)]



# ------------------------------------------------------------------ the overview's "Samples checked"

LAST_DAY = dt.date(2026, 2, 7)  # the newest sample of the fixture (a Saturday)
WEEK_END = dt.date(2026, 2, 8)  # the Sunday of its week: the public "this week" is Monday 02-02 to Sunday 02-08
FILTER_FIELDS = {"region": "region", "site": "site", "expected": "sold_as", "sample_type": "sample_type"}


def window_of(day: dt.date, end: dt.date = WEEK_END) -> str | None:
    """Which of the public overview's two weeks (7 days each, the current one ending on ``end``) a day falls in."""
    back = (end - day).days
    return "current" if 0 <= back < 7 else "previous" if 7 <= back < 14 else None


def checked_cell(samples: list[dict], f: Filters, window: str, value: int, status: str) -> dict:
    members = [s for s in samples if window_of(s["date"]) == window
               and all(getattr(f, name) is None or s[key] == getattr(f, name) for name, key in FILTER_FIELDS.items())]
    return {"system": ("checked", window),
            "atoms": frozenset((s["region"], s["site"], s["sold_as"], s["sample_type"]) for s in members),
            "ids": frozenset(s["sample_id"] for s in members), "value": value, "status": status,
            "where": f"checked {window} region={f.region} site={f.site} sold_as={f.expected} type={f.sample_type}"}


def overview_filters(samples: list[dict], most: int = 4) -> list[Filters]:
    """Every combination of the region, site, "sold as" and sample type filters (None = all), up to ``most`` set."""
    values = {name: sorted({s[key] for s in samples}) for name, key in FILTER_FIELDS.items()}
    out = []
    for combo in product(*((None, *v) for v in values.values())):
        if sum(v is not None for v in combo) <= most:
            out.append(Filters(**dict(zip(FILTER_FIELDS, combo))))
    return out


def overview_cells(con, samples: list[dict]) -> list[dict]:
    """Both windows' "Samples checked" under every filter combination, as the public overview reads them."""
    end, prot = public_headline.protected(con, Filters(), K)
    assert end == WEEK_END
    cells = []
    for f in overview_filters(samples):
        c = public_headline.checked_of(prot, f)
        cells.append(checked_cell(samples, f, "current", c.now, c.now_status))
        cells.append(checked_cell(samples, f, "previous", c.before, c.before_status))
    return cells


def test_overview_checked_counts_are_true_and_some_are_hidden(differencing_con, differencing_samples):
    cells = overview_cells(differencing_con, differencing_samples)
    assert [c["where"] for c in cells if c["value"] != len(c["ids"])] == []
    unsplit = [c for c in cells if c["where"].endswith("region=None site=None sold_as=None type=None")]
    # 2026-02-02..08: 10 + 4 + 6 + 6 + 12 + 2 drug, 2 residue; 01-26..02-01: 8 + 3 + 9 + 1 + 5 + 6 + 5 drug,
    # 3 + 6 residue
    assert [c["value"] for c in unsplit] == [42, 46]
    assert any(c["status"] == suppression.SMALL for c in cells)


def test_no_subtraction_across_overview_filters_recovers_a_checked_count(differencing_con, differencing_samples):
    """All regions minus the others, one sold-as minus the rest, drug plus residue against all types, ..."""
    assert subtractions(overview_cells(differencing_con, differencing_samples)) == []


def test_no_chain_of_sums_and_differences_recovers_a_checked_count(differencing_con, differencing_samples):
    """Coast (22) minus Coast sold as Fentanyl (6) minus Coast sold as Down (14, the van's 2 residue samples
    among them) is Coast's 2 Pressie samples: Coast sold as Fentanyl is hidden too."""
    cells = overview_cells(differencing_con, differencing_samples)
    assert recovered(cells) == []
    fentanyl = [c for c in cells if c["where"] == "checked current region=Coast site=None sold_as=Fentanyl type=None"]
    assert [(c["value"], c["status"]) for c in fentanyl] == [(6, suppression.COMPLEMENTARY)]


def test_every_filter_reads_the_same_public_week(differencing_con):
    """Valley's newest sample is 2026-02-04, yet its "this week" ends on Sunday 2026-02-08 like every other filter's:
    with its own week, Valley's cells would be unrelated to the unsplit ones and escape their protection."""
    end, prot = public_headline.protected(differencing_con, Filters(region="Valley"), K)
    assert end == WEEK_END
    c = public_headline.checked_of(prot, Filters(region="Valley"))
    # 02-02..08: 6 (02-04); 01-26..02-01: 1 + 5 + 3 residue
    assert (c.now, c.before) == (6, 9)


def _page_checked(params: dict) -> tuple[str, str]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metric = {m.label: m for m in at.metric}["Samples checked"]
    return metric.value, metric.help.removeprefix("Previous 7 days: ")


def test_the_overview_page_gives_nothing_away_by_subtraction(differencing_app, differencing_samples):
    """The page itself, as the public: unsplit and each single region, "sold as" and sample type filter."""
    views = [Filters()] + [f for f in overview_filters(differencing_samples, most=1)
                           if f.region or f.expected or f.sample_type]
    cells = []
    for f in views:
        params = {key: value for key, value in f.to_query().items()}
        now, before = _page_checked(params)
        for window, text in (("current", now), ("previous", before)):
            shown = text.replace(",", "").isdigit()
            value = int(text.replace(",", "")) if shown else len(checked_cell(differencing_samples, f, window, 0,
                                                                               "")["ids"])
            cells.append(checked_cell(differencing_samples, f, window, value,
                                      suppression.SHOWN if shown else suppression.SMALL))
    assert [c["where"] for c in cells if c["status"] == suppression.SHOWN and c["value"] != len(c["ids"])] == []
    assert subtractions(cells) == []


# ------------------------------------------------------------------ date ranges

RANGES = [(None, None), (dt.date(2026, 1, 21), None), (dt.date(2026, 1, 26), dt.date(2026, 2, 6)),
          (None, dt.date(2026, 1, 31)), (None, dt.date(2026, 2, 1)), (dt.date(2026, 2, 2), dt.date(2026, 2, 7)),
          (dt.date(2026, 2, 1), dt.date(2026, 2, 7))]


def range_cells(con, samples: list[dict], target: str) -> list[dict]:
    """Every trend view of ``target`` (weekly and monthly, unsplit and by region, every region filter) under each
    date range of RANGES, the totals under the caption included: what a reader who moves the dates sees."""
    cells = []
    for start, end in RANGES:
        for region in (None, *sorted({s["region"] for s in samples})):
            f = Filters(start=start, end=end, region=region)
            prot = public_trends.protected(con, public_trends.outer(f), target, K)
            for period in ("week", "month"):
                first, last = public_trends.covered_days(f, period)
                members = [s for s in samples if in_view(s, f, "all") and (first is None or s["date"] >= first)
                           and (last is None or s["date"] <= last)]
                for group in (None, "region"):
                    cells += _view_cells(prot, f, target, period, group, "all", members)
    return cells


def test_public_date_ranges_cover_whole_weeks_or_months():
    """A range from Wednesday 01-21 to Friday 02-06 is read as the weeks of 01-19 to 02-02 (to Sunday 02-08);
    monthly, as January (whose first week, holding Thursday 01-01, starts on 2025-12-29) to February (to Sunday
    03-01, the last week holding a February Thursday)."""
    f = Filters(start=dt.date(2026, 1, 21), end=dt.date(2026, 2, 6))
    assert public_trends.covered_days(f, "week") == (dt.date(2026, 1, 19), dt.date(2026, 2, 8))
    assert public_trends.covered_days(f, "month") == (dt.date(2025, 12, 29), dt.date(2026, 3, 1))
    assert public_trends.covered_days(Filters(), "week") == (None, None)


def test_moving_the_end_by_one_day_gives_no_day_away(differencing_con):
    """Ending on Saturday 02-07 or on Friday 02-06 is the same week: the totals are the same whole weeks."""
    views = [public_trends.view(differencing_con, Filters(end=day), "xylazine", "week", None, "all", K)
             for day in (dt.date(2026, 2, 6), dt.date(2026, 2, 7))]
    assert [(v.total, v.total_status) for v in views] == [(34 + 46 + 42, suppression.SHOWN)] * 2


@pytest.mark.parametrize("target", ["fentanyl", "xylazine"])  # benzodiazepine: nothing to hide in these views
def test_no_chain_across_date_ranges_recovers_a_hidden_count(differencing_con, differencing_samples, target):
    """The same views under several date ranges, each range's totals included: one system for the attacker."""
    cells = range_cells(differencing_con, differencing_samples, target)
    assert [c["where"] for c in cells if c["status"] == suppression.SHOWN and c["value"] != len(c["ids"])] == []
    assert any(c["status"] != suppression.SHOWN and c["value"] for c in cells)
    assert recovered(cells) == []


@pytest.mark.parametrize("lang, caption, first", [
    ("en", "Counts cover whole periods: Jan 19, 2026 to Feb 8, 2026.", "Jan 19, 2026"),
    ("fr", "Les effectifs couvrent des périodes entières : du 19 janv. 2026 au 8 févr. 2026.", "19 janv. 2026"),
])
def test_the_public_trends_page_reads_whole_weeks_and_says_so(differencing_app, lang, caption, first):
    """Wednesday 01-21 to Friday 02-06, weekly: the weeks of 01-19, 01-26 and 02-02, whole."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    for key, value in {"from": "2026-01-21", "to": "2026-02-06", "lang": lang}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/trends.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert caption in [c.value for c in at.caption]
    table = next(df.value for df in at.dataframe if len(df.value.columns) >= 3)
    assert list(table.iloc[:, 0])[0] == first
    assert len(table) == 3
