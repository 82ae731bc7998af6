"""Benzodiazepine rates on the public DrugCheckingBC file (2018-2020), counted two ways.

The expected values come from a plain pandas read of the CSV with the opioid "sold as" values and the FTIR
benzodiazepine names listed by hand below (not through the loader or the dictionary); the dashboard's figures
come from the warehouse the loader builds. Counting every FTIR-tested opioid sample as tested gives 360/7,826
(4.6 %); the benzodiazepine strip, a method sensitive enough, gives 349/3,599 on its own, and the default rate
(strip-tested samples, found by any method) is 358/3,599; the 2 FTIR finds in samples without a strip result
are a count beside it.
"""

import ast

import duckdb
import pandas as pd
import pytest

from etl.load import load_paths
from supplywatch import metrics
from supplywatch.filters import Filters

pytestmark = pytest.mark.real_data

DCBC = "bc-drugchecking-2018-2020/DrugCheckingBC Full Data - 2020-11-04.csv"
# Every "Expected Substance" value of the file that names an opioid (fentanyl, heroin, 'down', oxycodone ...).
SOLD_AS_OPIOID = {
    "Fentanyl", "Down (Unknown Opioid)", "Heroin", "Fentanyl and Heroin", "Oxycodone", "Carfentanil",
    "Acetaminophen and Oxycodone", "Hydromorphone", "Fentanyl and Methamphetamine", "Morphine", "Opium", "Codeine",
    "Tianeptine", "Methadone", "Carfentanil and Heroin", "Tramadol", "Heroin and Methamphetamine",
    "Acetaminophen and Codeine", "Isotonitazene", "U-47700", "Hydrocodone", "Carfentanil and Fentanyl",
}
# Every benzodiazepine name in the file's FTIR lists, lower-cased.
FTIR_BENZOS = {"etizolam", "alprazolam", "diazepam", "lorazepam", "flualprazolam", "temazepam", "adinazolam",
               "nimetazepam"}


@pytest.fixture(scope="module")
def by_hand() -> pd.DataFrame:
    """One row per opioid sample: strip tested, strip positive, FTIR found a benzodiazepine."""
    from tests.conftest import REAL_DATA

    if not REAL_DATA.is_dir():
        pytest.skip(f"real data folder {REAL_DATA} is absent")
    raw = pd.read_csv(REAL_DATA / DCBC, dtype=str, keep_default_na=False)
    op = raw[raw["Expected Substance"].isin(SOLD_AS_OPIOID)]
    return pd.DataFrame({
        "strip_tested": op["Benzo Test Strip"].isin(["True", "False"]),
        "strip_pos": op["Benzo Test Strip"] == "True",
        "ftir_benzo": op["FTIR Spectrometer"].map(
            lambda v: any(x.strip().lower() in FTIR_BENZOS for x in ast.literal_eval(v))),
    })


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from tests.conftest import REAL_DATA

    if not REAL_DATA.is_dir():
        pytest.skip(f"real data folder {REAL_DATA} is absent")
    db = tmp_path_factory.mktemp("dcbc") / "warehouse.duckdb"
    load_paths([REAL_DATA / DCBC], db=db, progress=False)
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def test_hand_count_reproduces_the_figures(by_hand):
    found = by_hand["strip_pos"] | by_hand["ftir_benzo"]
    assert (int(found.sum()), len(by_hand)) == (360, 7826)  # every FTIR-tested sample counted as tested
    strip = by_hand[by_hand["strip_tested"]]
    assert (int(strip["strip_pos"].sum()), len(strip)) == (349, 3599)  # the strip alone
    assert int((strip["strip_pos"] | strip["ftir_benzo"]).sum()) == 358
    assert int(by_hand.loc[~by_hand["strip_tested"], "ftir_benzo"].sum()) == 2
    assert int(by_hand["ftir_benzo"].sum()) == 24  # FTIR alone, over all 7,826 (every one has an FTIR list)


def test_default_rate_counts_only_samples_a_sensitive_method_tested(con):
    row = metrics.positivity(con, Filters(), ("benzodiazepine",), period=None, population="opioid").iloc[0]
    assert (row["k"], row["n"], row["outside"]) == (358, 3599, 2)
    assert round(row["share"] * 100, 2) == 9.95


def test_methods_side_by_side(con):
    df = metrics.positivity_by_method(con, Filters(), "benzodiazepine", period=None, population="opioid")
    got = {r.method: (r.k, r.n, r.sensitive) for r in df.itertuples()}
    assert got == {"benzo_strip": (349, 3599, True), "ftir": (24, 7826, False), "lab": (0, 0, True)}


@pytest.mark.parametrize("target, k, n, outside", [
    ("fentanyl", 6972, 7826, 0),   # FTIR counts for fentanyl: every opioid sample was tested by FTIR
    ("carfentanil", 0, 0, 4),      # no lab results in this file: FTIR finds are a count only
    ("nitazene", 0, 0, 0),
])
def test_targets_without_a_sensitive_method_show_a_count(con, target, k, n, outside):
    row = metrics.positivity(con, Filters(), (target,), period=None, population="opioid").iloc[0]
    assert (row["k"], row["n"], row["outside"]) == (k, n, outside)


def test_how_often_ftir_names_what_a_strip_found(con):
    """The figures docs/methods.md gives for why FTIR is not sensitive enough for benzodiazepines (any "sold as")."""
    def share(strip: str, cls: str) -> tuple[int, int]:
        return con.execute(f"""
            SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM detections d WHERE d.sample_no = s.sample_no
                                                  AND d.method = 'ftir' AND d.class = '{cls}')), count(*)
            FROM samples s WHERE s.{strip} = 'positive' AND s.ftir_tested""").fetchone()

    assert share("benzo_strip", "benzodiazepine") == (112, 699)  # 16 %
    assert share("fentanyl_strip", "fentanyl") == (4240, 6724)  # 63 %
