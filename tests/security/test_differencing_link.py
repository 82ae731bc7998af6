"""Differencing attack across Trends and Expected vs found: the counts both pages show, on one set of blocks.

For a target that only FTIR and the lab detect (other opioids, stimulants), Trends' tested count is every FTIR- or
lab-tested sample, so Trends' tested count split by expected substance, summed over every month, is Expected vs
found's tested count of that expected substance (all regions or one). The attacker of
tests/security/test_differencing.py writes both pages' counts over the same atoms (week, month, region, site,
"sold as", sample type) in one system. With each page on its own blocks (the rule used before, replayed here)
chains across the two pages recover tested counts; with Expected vs found reading Trends' blocks, none.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from supplywatch import db, public_expected_found, suppression
from supplywatch.filters import Filters
from tests.dashboard.conftest import dashboard_on
from tests.security.conftest import CLASSES, built, fixture_samples
from tests.security.test_differencing import K, atom, public_cells, recovered, subtractions

SHOWN = suppression.SHOWN
TESTED = ("ftir or lab", "tested")  # one system: the same samples on both pages
LINKED = ("opioid_other", "stimulant")


def expected_of(s: dict) -> str | None:
    """What Expected vs found groups a sample by: its usable expectation (None: the sample names none)."""
    if (s["expected_class"] or "") in ("placeholder", "unclassified", "unknown"):
        return None
    return s["expected_substance"] or s["expected_class"] or None


def regions(samples) -> list:
    return [None, *sorted({s["region"] for s in samples})]


def _evf_cell(system, domain: list[dict], counted: list[dict], value: int, status: str, where: str) -> dict:
    """A count as the attacker writes it: the atoms of every sample it is counted over, and the samples counted."""
    return {"system": system, "atoms": frozenset(atom(s) for s in domain),
            "ids": frozenset(s["sample_id"] for s in counted), "value": value, "status": status, "where": where}


def each_region(con, samples: list[dict]):
    """All regions, then each: (region, the public filters, the page's counts, Trends' margins, the region's FTIR-
    tested samples)."""
    pub = public_expected_found.protected(con, K)
    trends = public_expected_found.trends_of(con, K)
    for region in regions(samples):
        yield region, Filters(region=region), pub, trends, [s for s in samples if s["ftir"] and region in (
            None, s["region"])]


def evf_tested_cells(con, samples: list[dict], old: bool = False) -> list[dict]:
    """Expected vs found's tested count per expected substance, all regions and each (every date): read from
    Trends' tested blocks, or (``old``) on the page's own blocks, as before."""
    cells = []
    for region, f, pub, trends, tested in each_region(con, samples):
        for r in public_expected_found.match(pub, f, trends).to_dict("records"):
            here = [s for s in tested if expected_of(s) == r["expected"]]
            status = r["n_status"]
            if old:
                pick = pub.selection(f) & (pub.atoms["expected"] == r["expected"]).to_numpy()
                status = pub.cell("n", pick)[1]
            cells.append(_evf_cell(TESTED, here, here, int(r["n"]), status, f"evf tested {r['expected']} {region}"))
    return cells


def trends_tested_cells(con, samples: list[dict], targets=LINKED) -> list[dict]:
    """Every public Trends view of the targets only FTIR and the lab detect (weekly and monthly, every region, site
    and "sold as" filter, unsplit and split by region or expected substance), their tested counts in the shared
    system (found counts stay each target's own)."""
    cells = public_cells(con, samples, periods=("week", "month"), targets=targets)
    for c in cells:
        if c["system"][1] == "tested":
            c["system"] = TESTED
    return cells


def both_rules(con, samples: list[dict], evf_cells) -> dict[str, list[dict]]:
    """Trends' views beside Expected vs found's ``evf_cells`` as the page gives them ("new") and as before ("old")."""
    trends = trends_tested_cells(con, samples)
    return {"new": trends + evf_cells(con, samples), "old": trends + evf_cells(con, samples, old=True)}


@pytest.fixture(scope="module")
def link_cells(differencing_con, differencing_samples) -> dict[str, list[dict]]:
    return both_rules(differencing_con, differencing_samples, evf_tested_cells)


def test_the_tested_counts_are_the_same_samples_on_both_pages(link_cells):
    """Every shown count is true, and Expected vs found's tested count is Trends' tested count by expected
    substance over every month: Crystal (methamphetamine) 1 + 4 + 6 = 11 FTIR-tested samples, Hills 1."""
    cells = link_cells["new"]
    assert [c["where"] for c in cells if c["status"] == SHOWN and c["value"] != len(c["ids"])] == []
    evf = {c["where"]: c for c in cells if c["where"].startswith("evf")}
    assert (evf["evf tested methamphetamine None"]["value"], evf["evf tested methamphetamine Hills"]["value"]) == (11, 1)
    trends = [c for c in cells if c["system"] == TESTED and not c["where"].startswith("evf")]
    for c in evf.values():
        same = [t for t in trends if t["atoms"] == c["atoms"]]
        assert all(t["value"] == c["value"] for t in same)


def test_the_old_rule_gave_tested_counts_away_across_the_two_pages(link_cells):
    """Each page on its own blocks: sums and differences of Trends' monthly cells by expected substance and
    region against Expected vs found's every-date counts pin tested counts of both pages."""
    found = recovered(link_cells["old"])
    assert len(found) == 20, found


def test_no_chain_across_trends_and_expected_found_recovers_a_tested_count(link_cells):
    cells = link_cells["new"]
    assert any(c["status"] != SHOWN and c["value"] and c["where"].startswith("evf") for c in cells)
    assert recovered(cells) == []
    assert subtractions(cells) == []


def test_the_tested_counts_read_trends_blocks(differencing_con):
    """All regions: every tested count is Trends' tested count by expected substance over every date, with its
    status; Trends hides all of them on the fixture, so the page does too."""
    pub = public_expected_found.protected(differencing_con, K)
    trends = public_expected_found.trends_of(differencing_con, K)
    match = public_expected_found.match(pub, Filters(), trends).set_index("expected")
    totals = trends("stimulant").table({"expected"}).set_index("expected")
    for e, row in match.iterrows():
        assert (row["n"], row["n_status"]) == (totals.loc[e, "n"], totals.loc[e, "n_status"]), e


# ------------------------------------------------------------------ class counts and bare classes' matched counts

CLASS_FIXTURE = Path(__file__).parent.parent / "data" / "differencing_link_classes.csv"


def has_class(s: dict, cls: str) -> bool:
    return s["ftir"] and any(CLASSES[name] == cls for name in s["found"])


@pytest.fixture(scope="module")
def class_samples() -> list[dict]:
    return fixture_samples(CLASS_FIXTURE)


@pytest.fixture(scope="module")
def class_con(tmp_path_factory, class_samples):
    con = db.connect_readonly(built(tmp_path_factory, "differencing_link_classes", class_samples))
    yield con
    con.close()


def evf_class_cells(con, samples: list[dict], old: bool = False) -> list[dict]:
    """Expected vs found's stimulant and other-opioid columns of the class matrix and the matched counts of those
    bare classes, all regions and each, in Trends' found systems: read from Trends' found blocks, or (``old``) on
    the page's own blocks."""
    cells = []
    for region, f, pub, trends, here in each_region(con, samples):
        pick = pub.selection(f)
        for r in public_expected_found.matrix(pub, f, trends).to_dict("records"):
            if r["found_class"] not in LINKED:
                continue
            domain = [s for s in here if (s["expected_class"] or "?") == r["expected_class"]]
            status = r["status"]
            if old:
                status = pub.cell(f"class:{r['found_class']}",
                                  pick & (pub.atoms["expected_class"] == r["expected_class"]).to_numpy())[1]
            cells.append(_evf_cell((r["found_class"], "found"), domain,
                                   [s for s in domain if has_class(s, r["found_class"])], int(r["n"]), status,
                                   f"evf class {r['expected_class']} found {r['found_class']} {region}"))
        for r in public_expected_found.match(pub, f, trends).to_dict("records"):
            if r["expected"] not in LINKED:
                continue
            domain = [s for s in here if expected_of(s) == r["expected"]]
            status = r["k_status"]
            if old:
                status = pub.cell("matched", pick & (pub.atoms["expected"] == r["expected"]).to_numpy())[1]
            cells.append(_evf_cell((r["expected"], "found"), domain,
                                   [s for s in domain if has_class(s, r["expected"])], int(r["matched"]), status,
                                   f"evf matched {r['expected']} {region}"))
    return cells


@pytest.fixture(scope="module")
def class_cells(class_con, class_samples) -> dict[str, list[dict]]:
    return both_rules(class_con, class_samples, evf_class_cells)


def test_the_class_counts_are_trends_found_counts(class_cells, class_con):
    """Every shown count is true, and by hand, all regions: stimulants were found in 6 + 2 + 7 of the 25 "Upper"
    samples (15, matched), 4 + 9 + 2 = 15 "Crystal" ones, 2 "Opioid" ones and 1 "Down" one; other opioids in 5 + 4 + 6 = 15
    "Opioid" ones (matched), 4 "Crystal" ones and 3 + 1 "Down" ones: the same counts as Trends' found counts of
    the class split by expected substance over every month, with the same status."""
    cells = class_cells["new"]
    assert [c["where"] for c in cells if c["status"] == SHOWN and c["value"] != len(c["ids"])] == []
    got = {c["where"]: c["value"] for c in cells if c["where"].startswith("evf") and c["where"].endswith("None")}
    assert got == {"evf class opioid_other found opioid_other None": 15, "evf class opioid_other found stimulant None": 2,
                   "evf class opioid_unspecified found opioid_other None": 4,
                   "evf class opioid_unspecified found stimulant None": 1,
                   "evf class stimulant found opioid_other None": 4, "evf class stimulant found stimulant None": 30,
                   "evf matched opioid_other None": 15, "evf matched stimulant None": 15}
    trends = public_expected_found.trends_of(class_con, K)
    pub = public_expected_found.protected(class_con, K)
    for c in public_expected_found.matrix(pub, Filters(), trends).to_dict("records"):
        if c["found_class"] in LINKED:
            prot = trends(c["found_class"])
            total, status = prot.union(prot.atoms["expected_class"] == c["expected_class"], "k")
            assert (c["n"], c["status"]) == (total, status), c


def test_the_class_counts_on_their_own_blocks_gave_trends_counts_away(class_cells):
    """Each page on its own blocks: Trends' found counts by expected substance and region against the class
    matrix and the bare classes' matched counts pin counts of both pages: 20 of Trends' (such as Valley's 2
    "Upper" samples with a stimulant found in the week of 2026-01-19) and 2 of the page's (the 4 "Crystal" samples
    with another opioid found, Valley's 2 "Upper" samples matched); Trends' views alone give none away."""
    found = recovered(class_cells["old"])
    assert "stimulant week all region=None site=None sold_as=None type=None split=region 2026-01-19 Valley found = 2" \
        in found
    assert [x for x in found if x.startswith("evf")] == ["evf class stimulant found opioid_other None = 4",
                                                          "evf matched stimulant Valley = 2"]
    assert len(found) == 22, found
    assert recovered([c for c in class_cells["old"] if not c["where"].startswith("evf")]) == []


def test_no_chain_through_the_class_counts_recovers_a_count(class_cells):
    cells = class_cells["new"]
    assert any(c["status"] != SHOWN and c["value"] and c["where"].startswith("evf") for c in cells)
    assert recovered(cells) == []
    assert subtractions(cells) == []


# ------------------------------------------------------------------ the rounded match share

H, SMALL = suppression.COMPLEMENTARY, suppression.SMALL


@pytest.mark.parametrize("matched, matched_status, n, n_status, share", [
    (40, H, 100, H, 0.4),  # 39 to 41 of 99 to 101 all round to 40 %
    (45, H, 100, H, None),  # 45 % rounds up, 44 % down: a reader told "50 %" would know 45 once n is known
    (8, H, 20, H, None),  # 9 of 20 is 45 %, rounded to 50 %
    (8, SHOWN, 20, H, 0.4),  # 8 known exactly: 8 of 19 (42 %) and of 21 (38 %) round to 40 % too
    (2, SHOWN, 20, H, 0.1),  # 8 of 19 or 21 samples: 10.5 % and 9.5 %, both 10 %
    (72, SHOWN, 72, H, 1.0),  # all matched: fewer tested is impossible, 72 of 73 is still 100 %
    (0, SHOWN, 30, H, 0.0),  # none matched, of 30 or more: no count
    (15, SHOWN, 19, SMALL, None),  # n under 4k: not even "20 or more" may be said
    (8, H, 30, SHOWN, None),  # n shown: the share would bound the matched count against an exact n
    (8, SHOWN, 30, SHOWN, None),  # both shown: the exact share is shown instead
])
def test_a_rounded_share_is_given_only_where_no_count_follows_from_it(matched, matched_status, n, n_status, share):
    assert public_expected_found.rounded_share(matched, matched_status, n, n_status, K) == share


def test_rows_with_a_hidden_count_get_a_rounded_share(class_con):
    """All regions: "Upper" (a stimulant expected, 25 tested and 15 matched, both hidden) gets "about 60 %"; the
    other rows have n under 20; no row with an exact share gets a rounded one."""
    pub = public_expected_found.protected(class_con, K)
    trends = public_expected_found.trends_of(class_con, K)
    for region in (None, "Coast", "Hills", "Valley"):
        rows = public_expected_found.match(pub, Filters(region=region), trends)
        assert all(r["share"] is None for r in rows.to_dict("records") if r["rounded"] is not None)
        got = {r["expected"]: r["rounded"] for r in rows.to_dict("records") if r["rounded"] is not None}
        assert got == ({"stimulant": 0.6} if region is None else {}), region
    upper = public_expected_found.match(pub, Filters(), trends).set_index("expected").loc["stimulant"]
    assert (upper["n"], upper["matched"], upper["n_status"], upper["k_status"]) == (25, 15, H, H)


@pytest.fixture(scope="module")
def class_path(tmp_path_factory, class_samples):
    return built(tmp_path_factory, "differencing_link_pages", class_samples)


@pytest.fixture
def class_app(class_path, tmp_path, monkeypatch):
    return dashboard_on(class_path, tmp_path, monkeypatch)


def plotted(values) -> list[float]:
    """A figure's numbers as plotly writes them (a list, or typed bytes in base64)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


@pytest.mark.parametrize("lang, label, said", [("en", "Stimulants", "about 60% of 20 or more"),
                                               ("fr", "Stimulants", "environ 60 % sur 20 ou plus")])
def test_the_public_page_shows_the_rounded_share(class_app, lang, label, said):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/expected_found.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = [df.value for df in at.dataframe if len(df.value.columns) == 4][0]
    row = table[table.iloc[:, 0] == label].iloc[0]
    assert row.iloc[2].replace("\u202f", " ").replace("\xa0", " ") == said
    # the bar chart draws that row at 60 %, saying so, with no interval; no other row has a share to draw
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    trace = bars["data"][0]
    assert (trace["y"], plotted(trace["x"])) == ([label], [0.6])
    assert plotted(trace["error_x"]["array"]) == plotted(trace["error_x"]["arrayminus"]) == [0.0]
    assert [a["text"].replace("\u202f", " ").replace("\xa0", " ") for a in bars["layout"]["annotations"]] == [
        f"{label} · {said}"]


def test_without_a_trends_target_of_every_tested_sample_the_page_keeps_its_own_blocks(differencing_con, monkeypatch):
    """A method sensitivity table where FTIR misses other opioids, stimulants and cuts leaves no Trends count equal
    to a tested count here: the page's own blocks stand (all regions: 72 "Down" samples, whole blocks)."""
    monkeypatch.setattr(public_expected_found, "linked_targets", lambda: ())
    pub = public_expected_found.protected(differencing_con, K)
    rows = public_expected_found.match(pub, Filters(), public_expected_found.trends_of(differencing_con, K))
    down = rows.set_index("expected").loc["opioid_unspecified"]
    assert (down["n"], down["n_status"], down["share"]) == (72, SHOWN, 1.0)
