"""Synthetic demo files in the canonical layouts, with the supply stories the dashboard must reveal.

Everything is drawn with numpy from one seed, so the same seed, sample count and end date
give byte-identical files. Samples are generated a block of days at a time and written as
they are made, so a million rows take seconds and bounded memory.

The stories (see docs/demo-data.md for the effect sizes):
  * fentanyl concentration drifts up: median about 10 % at the start, about 20 % at the end;
  * xylazine rises through the period; medetomidine first appears in the last ~6 months,
    region by region;
  * a nitazene (N-pyrrolidino etonitazene) first appears in North Coast only, in the last 60 days;
  * a carfentanil cluster in Valley in the last 21 days, with an EMS overdose spike there;
  * bromazolam is common in the opioid supply and becomes more so.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_END = dt.date(2026, 10, 31)  # fixed so output is deterministic; --end-date moves it
DAYS = 730  # about two years, ending on the end date inclusive
DEFAULT_SAMPLES = 20_000
SOURCE = "Synthetic demo service"
ALERT_SOURCE = "Synthetic health authority (demo)"

SAMPLE_COLUMNS = [
    "sample_id", "date", "site", "region", "expected", "sample_type", "form", "colour",
    "fentanyl_strip", "benzo_strip", "xylazine_strip", "nitazene_strip", "medetomidine_strip",
    "ftir_components", "lab_components", "fentanyl_pct", "overdose_linked", "notes",
]
OVERDOSE_COLUMNS = ["period", "region", "site", "measure", "substance", "unit", "value"]
ALERT_COLUMNS = ["date", "region", "type", "title", "text", "link", "source"]

# ---------------------------------------------------------------- places

REGIONS = ["Capital", "Metro", "Valley", "Interior", "North Coast"]
CAPITAL, METRO, VALLEY, INTERIOR, NORTH_COAST = range(5)
NITAZENE_REGION = NORTH_COAST
CARFENTANIL_REGION = VALLEY
NITAZENE_DAYS = 60      # nitazene present only in the last 60 days
CARFENTANIL_DAYS = 21   # carfentanil cluster and overdose spike in the last 21 days
MEDETOMIDINE_DAYS = 180  # medetomidine present only in the last ~6 months

# (site name, region, relative volume, mobile: closed at weekends)
SITES = [
    ("Capital Downtown (synthetic)", CAPITAL, 1.0, False),
    ("Capital East (synthetic)", CAPITAL, 0.6, False),
    ("Capital mobile van (synthetic)", CAPITAL, 0.35, True),
    ("Metro Central (synthetic)", METRO, 0.9, False),
    ("Metro South (synthetic)", METRO, 0.5, False),
    ("Valley Town (synthetic)", VALLEY, 0.6, False),
    ("Valley outreach (synthetic)", VALLEY, 0.3, True),
    ("Interior Hub (synthetic)", INTERIOR, 0.45, False),
    ("Interior North (synthetic)", INTERIOR, 0.25, False),
    ("North Coast Port (synthetic)", NORTH_COAST, 0.4, False),
    ("North Coast mobile (synthetic)", NORTH_COAST, 0.2, True),
]
SITE_REGION = np.array([s[1] for s in SITES])
# Medetomidine reaches regions one after another: days before the end when it first can appear.
MEDETOMIDINE_START = np.array([180, 150, 120, 100, 75])

# ---------------------------------------------------------------- what people expected

OPIOID, METH, COCAINE, MDMA, KETAMINE, BENZO = range(6)
# (expected as written, drug group, share of samples)
EXPECTED = [
    ("Down (Unknown Opioid)", OPIOID, 0.30),
    ("Fentanyl", OPIOID, 0.13),
    ("Heroin", OPIOID, 0.05),
    ("Oxycodone", OPIOID, 0.02),
    ("Methamphetamine", METH, 0.18),
    ("Cocaine", COCAINE, 0.08),
    ("MDMA", MDMA, 0.07),
    ("Ketamine", KETAMINE, 0.04),
    ("Benzo", BENZO, 0.035),
    ("Unknown", -1, 0.035),  # turns out opioid or methamphetamine, half each
    ("Alprazolam", BENZO, 0.02),
]
EXPECTED_NAMES = np.array([e[0] for e in EXPECTED], dtype=object)
EXPECTED_GROUP = np.array([e[1] for e in EXPECTED])
EXPECTED_P = np.array([e[2] for e in EXPECTED]) / sum(e[2] for e in EXPECTED)
EXP_HEROIN = 2
EXP_OXY = 3
EXP_ALPRAZOLAM = 10

# ---------------------------------------------------------------- components
# (FTIR library name or None if FTIR never names it, lab name or None if the lab does not report it)
COMPONENTS = [
    ("Fentanyl HCl", "Fentanyl"),
    ("Carfentanil", "Carfentanil"),
    ("para-Fluorofentanyl", "para-Fluorofentanyl"),
    ("Heroin HCl", "Heroin"),
    ("Oxycodone HCl", "Oxycodone"),
    (None, "N-Pyrrolidino etonitazene"),
    ("Medetomidine", "Medetomidine"),
    ("Xylazine HCl", "Xylazine"),
    ("Bromazolam", "Bromazolam"),
    ("Etizolam", "Etizolam"),
    ("Alprazolam", "Alprazolam"),
    ("Methamphetamine HCl", "Methamphetamine"),
    ("Cocaine HCl", "Cocaine"),
    ("MDMA HCl", "MDMA"),
    ("Ketamine HCl", "Ketamine"),
    (None, "Unidentified analogue 7"),   # deliberately unknown to the dictionary
    ("4-ANPP", "4-ANPP"),
    ("Caffeine", "Caffeine"),
    ("Levamisole", "Levamisole"),
    ("Phenacetin", "Phenacetin"),
    ("Lidocaine", "Lidocaine"),
    ("Dimethyl Sulfone", "Dimethyl sulfone"),
    ("Erythritol", None),
    ("Mannitol", None),
    ("Microcrystalline Cellulose", None),
    ("Unidentified compound B-12", None),  # deliberately unknown to the dictionary
]
C = {(f or lab): i for i, (f, lab) in enumerate(COMPONENTS)}
FENT, CARF, FLUORO, HEROIN, OXY, NITAZ, MEDET, XYL = (C["Fentanyl HCl"], C["Carfentanil"], C["para-Fluorofentanyl"],
                                                      C["Heroin HCl"], C["Oxycodone HCl"], C["N-Pyrrolidino etonitazene"],
                                                      C["Medetomidine"], C["Xylazine HCl"])
BROM, ETIZ, ALPRAZ = C["Bromazolam"], C["Etizolam"], C["Alprazolam"]
UNKNOWN_NAMES = ("Unidentified analogue 7", "Unidentified compound B-12")

# Chance FTIR sees a component that is present (FTIR misses what is under ~5 %), and chance the
# lab marks it "(Trace)". Fentanyl is handled from its concentration instead.
FTIR_SEES = np.array([1, 0, 0, .6, .9, 0, .25, .7, .45, .45, .5, .97, .97, .95, .95, 0, .03,
                      .9, .5, .6, .6, .9, .92, .9, .92, .9])
LAB_TRACE = np.array([0, 0, .5, .4, .1, .3, .3, .2, .3, .3, .2, .05, .05, .05, .05, .5, .9,
                      .3, .3, .3, .3, .3, 0, 0, 0, 0])
FTIR_TRACE_REPORT = {HEROIN: 0.3, FENT: 0.25}  # FTIR sometimes flags a faint match as "(Trace)"

FORMS = np.array(["powder", "crystal", "pill", "liquid", "paper"], dtype=object)
FORM_P = {  # by drug group
    OPIOID: [0.78, 0.10, 0.08, 0.02, 0.02],
    METH: [0.15, 0.80, 0.04, 0.01, 0.0],
    COCAINE: [0.85, 0.15, 0.0, 0.0, 0.0],
    MDMA: [0.10, 0.50, 0.40, 0.0, 0.0],
    KETAMINE: [0.70, 0.30, 0.0, 0.0, 0.0],
    BENZO: [0.20, 0.0, 0.80, 0.0, 0.0],
}
COLOURS = np.array(["white", "off-white", "beige", "brown", "purple", "blue", "green", "pink", "grey", "clear"],
                   dtype=object)
COLOUR_P_OPIOID = [0.12, 0.08, 0.15, 0.15, 0.22, 0.08, 0.08, 0.04, 0.08, 0.0]
COLOUR_P_OTHER = [0.45, 0.15, 0.05, 0.02, 0.02, 0.06, 0.03, 0.07, 0.02, 0.13]
NOTES = np.array([
    "Synthetic demo record",
    "Second sample from the same batch (synthetic)",
    "Tested twice, same result (synthetic)",
    "Person reported heavier sedation than expected (synthetic)",
    "Brought in by the outreach team (synthetic)",
], dtype=object)


@dataclass(frozen=True)
class DemoFiles:
    """Paths of the three generated files, in load order."""

    samples: Path
    overdoses: Path
    alerts: Path

    def paths(self) -> list[Path]:
        return [self.samples, self.overdoses, self.alerts]


def generate(out_dir: str | Path, samples: int = DEFAULT_SAMPLES, seed: int = 42,
             end_date: dt.date = DEFAULT_END, block_days: int | None = None) -> DemoFiles:
    """Write samples.csv, overdoses.csv and alerts.csv under ``out_dir`` and return their paths."""
    if samples < 0:
        raise ValueError(f"--samples must be zero or more, not {samples}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    layout_ss, samples_ss, counts_ss = np.random.SeedSequence(seed).spawn(3)
    days = [end_date - dt.timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    files = DemoFiles(out / "samples.csv", out / "overdoses.csv", out / "alerts.csv")
    per_day_site = _daily_volume(np.random.default_rng(layout_ss), days, samples)
    write_samples(files.samples, per_day_site, days, np.random.default_rng(samples_ss), block_days)
    write_overdoses(files.overdoses, days, np.random.default_rng(counts_ss))
    write_alerts(files.alerts, end_date)
    return files


# ---------------------------------------------------------------- samples

def _daily_volume(rng: np.random.Generator, days: list[dt.date], n: int) -> np.ndarray:
    """How many samples each site tests each day (days x sites), summing exactly to ``n``.

    Fewer at weekends (mobile sites closed), volume growing ~50 % over the period, and a few
    reporting gaps per site (never inside the story windows).
    """
    weekday = np.array([d.weekday() for d in days])
    day_factor = np.select([weekday == 5, weekday == 6], [0.6, 0.4], 1.0)
    trend = np.linspace(0.8, 1.2, len(days))
    w = np.empty((len(days), len(SITES)))
    for j, (_, _, volume, mobile) in enumerate(SITES):
        col = volume * day_factor * trend
        if mobile:
            col = np.where(weekday >= 5, 0.0, col)
        for _ in range(rng.integers(0, 3)):  # reporting gaps: site closed or did not report
            start = int(rng.integers(30, len(days) - 200))
            col[start:start + int(rng.integers(4, 15))] = 0.0
        w[:, j] = col
    p = (w / w.sum()).ravel()
    return rng.multinomial(n, p).reshape(w.shape)


def write_samples(path: Path, per_day_site: np.ndarray, days: list[dt.date], rng: np.random.Generator,
                  block_days: int | None = None) -> int:
    """Write the samples CSV a block of days at a time; return the number of rows written."""
    n_days = len(days)
    date_str = np.array([d.isoformat() for d in days], dtype=object)
    site_names = np.array([s[0] for s in SITES], dtype=object)
    region_names = np.array(REGIONS, dtype=object)
    block = block_days or 30
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(SAMPLE_COLUMNS)
        for first in range(0, n_days, block):
            counts = per_day_site[first:first + block]
            flat = counts.ravel()
            day = np.repeat(np.repeat(np.arange(first, first + len(counts)), len(SITES)), flat)
            site = np.repeat(np.tile(np.arange(len(SITES)), len(counts)), flat)
            if len(day) == 0:
                continue
            cols = _sample_block(rng, day, site, n_days)
            ids = np.array([f"DEMO-{i:07d}" for i in range(written + 1, written + len(day) + 1)], dtype=object)
            rows = zip(ids, date_str[day], site_names[site], region_names[SITE_REGION[site]], *cols)
            out.writerows(rows)
            written += len(day)
    return written


def _sample_block(rng: np.random.Generator, day: np.ndarray, site: np.ndarray, n_days: int) -> list[np.ndarray]:
    """Every column after sample_id/date/site/region for one block of samples, as object arrays."""
    n = len(day)
    t = day / (n_days - 1)              # 0 at the start, 1 on the end date
    back = n_days - 1 - day             # days before the end date
    region = SITE_REGION[site]

    exp = rng.choice(len(EXPECTED), size=n, p=EXPECTED_P)
    group = EXPECTED_GROUP[exp].copy()
    unknown = group < 0
    group[unknown] = np.where(rng.random(unknown.sum()) < 0.5, OPIOID, METH)
    opioid, meth, coke = group == OPIOID, group == METH, group == COCAINE
    mdma, ket, benzo = group == MDMA, group == KETAMINE, group == BENZO

    def chance(p) -> np.ndarray:
        return rng.random(n) < p

    present = np.zeros((len(COMPONENTS), n), dtype=bool)
    p_fent = np.select([exp == EXP_HEROIN, exp == EXP_OXY], [0.70, 0.80], 0.93)
    fent_opioid = opioid & chance(p_fent)
    fent_contam = (meth & chance(0.015)) | (coke & chance(0.02)) | (benzo & chance(0.10))
    present[FENT] = fent_opioid | fent_contam
    # Fentanyl %: log-normal around a median that doubles over two years (10 % -> 20 %).
    pct = np.exp(np.log(10.0) + np.log(2.0) * t + rng.normal(0.0, 0.55, n))
    pct = np.where(fent_contam & ~fent_opioid, rng.uniform(0.5, 3.0, n), pct)
    pct = np.clip(pct, 0.5, 85.0)
    present[CARF] = opioid & (region == CARFENTANIL_REGION) & (back < CARFENTANIL_DAYS) & chance(0.35)
    present[FLUORO] = fent_opioid & chance(0.12)
    present[HEROIN] = opioid & chance(np.where(exp == EXP_HEROIN, 0.6, 0.08))
    present[OXY] = (exp == EXP_OXY) & chance(0.25)
    present[NITAZ] = opioid & (region == NITAZENE_REGION) & (back < NITAZENE_DAYS) & chance(0.2)
    med_start = MEDETOMIDINE_START[region]
    med_p = np.where(back < med_start, 0.04 + 0.18 * (med_start - back) / med_start, 0.0)
    present[MEDET] = opioid & chance(med_p)
    # Xylazine: rare at first, rising through the middle of the period, easing a little as medetomidine arrives.
    xyl_p = 0.02 + 0.28 / (1.0 + np.exp(-(t - 0.45) / 0.08)) - 0.5 * med_p
    present[XYL] = opioid & chance(xyl_p)
    present[BROM] = (opioid & chance(0.28 + 0.17 * t)) | (benzo & chance(0.45))
    present[ETIZ] = (opioid & chance(0.07 - 0.04 * t)) | (benzo & chance(0.20))
    present[ALPRAZ] = benzo & chance(np.where(exp == EXP_ALPRAZOLAM, 0.5, 0.2))
    present[C["Methamphetamine HCl"]] = (meth & chance(0.97)) | (mdma & chance(0.08))
    present[C["Cocaine HCl"]] = coke & chance(0.95)
    present[C["MDMA HCl"]] = mdma & chance(0.85)
    present[C["Ketamine HCl"]] = ket & chance(0.95)
    present[C["Unidentified analogue 7"]] = opioid & (t > 0.5) & chance(0.02)
    present[C["4-ANPP"]] = fent_opioid & chance(0.45)
    present[C["Caffeine"]] = (opioid & chance(0.45)) | ((meth | coke | mdma) & chance(0.05))
    present[C["Levamisole"]] = coke & chance(0.25)
    present[C["Phenacetin"]] = coke & chance(0.10)
    present[C["Lidocaine"]] = coke & chance(0.08)
    present[C["Dimethyl Sulfone"]] = meth & chance(0.18)
    present[C["Erythritol"]] = opioid & chance(0.25)
    present[C["Mannitol"]] = (opioid & chance(0.20)) | (coke & chance(0.08))
    present[C["Microcrystalline Cellulose"]] = benzo & chance(0.6)
    present[C["Unidentified compound B-12"]] = chance(0.003)

    # Which methods were used. Lab testing is stepped up where a cluster is being investigated.
    ftir = chance(0.88)
    lab_p = np.full(n, 0.12)
    lab_p[(region == CARFENTANIL_REGION) & (back < CARFENTANIL_DAYS)] = 0.6
    lab_p[(region == NITAZENE_REGION) & (back < NITAZENE_DAYS)] = 0.35
    lab = chance(lab_p)

    fent_like = present[FENT] | present[CARF] | present[FLUORO]
    benzo_like = present[BROM] | present[ETIZ] | present[ALPRAZ]
    strips = [
        _strip(rng, chance(0.75), fent_like, 0.96, 0.01),
        _strip(rng, chance(0.55), benzo_like, 0.85, 0.02),
        _strip(rng, chance(np.where(t >= 0.1, 0.45, 0.0)), present[XYL], 0.93, 0.005),
        _strip(rng, chance(np.where(t >= 0.5, 0.30, 0.0)), present[NITAZ], 0.90, 0.0),
        _strip(rng, chance(np.where(back < 240, 0.35, 0.0)), present[MEDET], 0.90, 0.0),
    ]

    ftir |= ~lab & np.all([col == "" for col in strips], axis=0)  # every sample has a result

    # FTIR sees what is above its detection limit; fentanyl from its concentration.
    seen = present & (rng.random(present.shape) < FTIR_SEES[:, None])
    seen[FENT] = present[FENT] & (pct >= 5.0)
    ftir_trace = np.zeros_like(present)
    for k, p in FTIR_TRACE_REPORT.items():
        ftir_trace[k] = present[k] & ~seen[k] & chance(p)
    lab_trace = present & (rng.random(present.shape) < LAB_TRACE[:, None])
    lab_trace[FENT] = present[FENT] & (pct < 1.0)
    ftir_col = _component_cells(ftir, seen, ftir_trace, [c[0] for c in COMPONENTS])
    lab_names = [c[1] for c in COMPONENTS]
    lab_seen = present & np.array([name is not None for name in lab_names])[:, None]
    lab_col = _component_cells(lab, lab_seen & ~lab_trace, lab_seen & lab_trace, lab_names)

    # Fentanyl %: quantified by the lab, or by FTIR for about half of the samples where it sees fentanyl.
    quantified = present[FENT] & (lab | (ftir & seen[FENT] & chance(0.5)))
    pct_tenths = np.rint(pct * 10).astype(np.int64)
    pct_col = np.where(quantified, _PCT_TEXT[np.clip(pct_tenths, 0, 1000)], "").astype(object)

    form_col = np.empty(n, dtype=object)
    for g, p in FORM_P.items():
        idx = np.flatnonzero(group == g)
        form_col[idx] = FORMS[rng.choice(len(FORMS), size=len(idx), p=p)]
    pills = exp == EXP_OXY
    form_col[pills] = "pill"
    colour_col = np.where(opioid, COLOURS[rng.choice(len(COLOURS), size=n, p=COLOUR_P_OPIOID)],
                          COLOURS[rng.choice(len(COLOURS), size=n, p=COLOUR_P_OTHER)])
    sample_type = np.where(chance(0.08), "residue", "drug").astype(object)
    od_p = np.where(present[CARF], 0.35, 0.02)
    od = rng.random(n)
    overdose = np.where(od < od_p, "yes", np.where(od < od_p + 0.16, "no", "")).astype(object)
    notes = np.where(chance(0.04), NOTES[rng.integers(0, len(NOTES), n)], "").astype(object)
    return [EXPECTED_NAMES[exp], sample_type, form_col, colour_col, *strips, ftir_col, lab_col,
            pct_col, overdose, notes]


_PCT_TEXT = np.array([f"{i / 10:.1f}" for i in range(1001)], dtype=object)


def _component_cells(tested: np.ndarray, main: np.ndarray, trace: np.ndarray, names: list[str | None]) -> np.ndarray:
    """';'-joined component lists: '' not tested, 'none' tested with nothing found.

    Each distinct combination is joined once and looked up, so a million rows cost a few
    hundred string joins.
    """
    usable = np.array([name is not None for name in names])
    main = main & usable[:, None]
    trace = trace & usable[:, None] & ~main
    k = len(names)
    weights = (1 << np.arange(k, dtype=np.uint64))
    key = (main.T.astype(np.uint64) @ weights) | ((trace.T.astype(np.uint64) @ weights) << np.uint64(32))
    key = np.where(tested, key, np.uint64(1) << np.uint64(63))
    uniq, inverse = np.unique(key, return_inverse=True)
    text = np.empty(len(uniq), dtype=object)
    for u, value in enumerate(uniq.tolist()):
        if value == 1 << 63:
            text[u] = ""
            continue
        parts = [names[i] for i in range(k) if value >> i & 1]
        parts += [f"{names[i]} (Trace)" for i in range(k) if value >> (32 + i) & 1]
        text[u] = ";".join(parts) if parts else "none"
    return text[inverse]


def _strip(rng: np.random.Generator, tested: np.ndarray, truth: np.ndarray, sensitivity: float,
           false_positive: float) -> np.ndarray:
    """One strip column: '' not tested, else positive/negative, with 1 % invalid strips."""
    u = rng.random(len(tested))
    positive = np.where(truth, u < sensitivity, u < false_positive)
    result = np.where(positive, "positive", "negative").astype(object)
    result[rng.random(len(tested)) < 0.01] = "invalid"
    result[~tested] = ""
    return result


# ---------------------------------------------------------------- overdose counts

EMS_BASE = np.array([9.0, 8.0, 6.0, 4.0, 2.5])  # mean EMS opioid overdose calls per day, by region
ED_SHARE = 0.6
SUPPRESSING_REGIONS = (INTERIOR, NORTH_COAST)    # these publish ED visits of 1-4 as '<5'
SPIKE_DAYS = 7           # the overdose spike's sharp rise: the last week of the carfentanil cluster
SPIKE_FACTOR = 4.0       # EMS mean in that week, times usual (1.3-1.8x in the two weeks before)


def overdose_means(days: list[dt.date]) -> dict[str, np.ndarray]:
    """Expected daily counts (days x regions) for ems and ed_visits, spike included."""
    weekday = np.array([d.weekday() for d in days])
    dom = np.array([d.day for d in days])
    doy = np.array([d.timetuple().tm_yday for d in days])
    week = np.select([weekday == 4, weekday == 5, weekday == 6], [1.15, 1.25, 1.1], 0.92)
    payday = np.where((dom >= 20) & (dom <= 22), 1.25, 1.0)  # income-assistance payment days
    season = 1.0 + 0.1 * np.sin(2 * np.pi * (doy - 100) / 365.0)
    trend = np.linspace(1.0, 1.15, len(days))
    ems = EMS_BASE[None, :] * (week * payday * season * trend)[:, None]
    spike = np.ones(len(days))
    # Rising with the carfentanil cluster, then a sharp jump in the last week: EARS C2 compares each day with
    # days t-9..t-3, so the jump shows as a flag in the most recent days, where signals look.
    spike[-CARFENTANIL_DAYS:-SPIKE_DAYS] = np.linspace(1.3, 1.8, CARFENTANIL_DAYS - SPIKE_DAYS)
    spike[-SPIKE_DAYS:] = np.linspace(SPIKE_FACTOR, SPIKE_FACTOR * 0.85, SPIKE_DAYS)
    ems[:, CARFENTANIL_REGION] *= spike
    ed = ems * ED_SHARE
    return {"ems": ems, "ed_visits": ed}


def write_overdoses(path: Path, days: list[dt.date], rng: np.random.Generator) -> int:
    """Daily opioid overdose counts per region (EMS calls, ED visits) with suppression and gaps."""
    means = overdose_means(days)
    rows = []
    for measure, mean in means.items():
        noisy = mean * rng.gamma(8.0, 1 / 8.0, mean.shape)  # over-dispersed like real counts
        counts = rng.poisson(noisy)
        missing = rng.random(mean.shape) < 0.004
        missing[-40:, :] = False  # keep the recent weeks complete for the spike story
        if measure == "ed_visits":
            gap = int(rng.integers(60, len(days) - 120))
            missing[gap:gap + 10, INTERIOR] = True  # a reporting gap
        for i, d in enumerate(days):
            for r, name in enumerate(REGIONS):
                c = int(counts[i, r])
                if missing[i, r]:
                    value = "NA"
                elif measure == "ed_visits" and 0 < c < 5 and r in SUPPRESSING_REGIONS:
                    value = "<5"
                else:
                    value = str(c)
                rows.append((d.isoformat(), name, "", measure, "opioids", "count", value))
    rows.sort(key=lambda row: (row[0], row[3], row[1]))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(OVERDOSE_COLUMNS)
        out.writerows(rows)
    return len(rows)


# ---------------------------------------------------------------- external alerts

def demo_alerts(end_date: dt.date) -> list[tuple[str, ...]]:
    """A few alerts 'issued elsewhere', dated relative to the end date."""
    def day(back: int) -> str:
        return (end_date - dt.timedelta(days=back)).isoformat()

    link = "https://example.org/synthetic-alerts/{}"
    return [
        (day(610), "Capital", "drug alert", "Purple down with high fentanyl content",
         "Drug checking found purple down with more fentanyl than usual. Don't use alone, start low and go slow, "
         "carry naloxone.", link.format(1), ALERT_SOURCE),
        (day(400), "Interior", "drug alert", "Xylazine found in opioid samples",
         "Xylazine, a veterinary sedative, was found in opioid samples. Naloxone still helps with the opioid: "
         "give it and call emergency services. Watch for wounds.", link.format(2), ALERT_SOURCE),
        (day(170), "Capital", "drug alert", "Medetomidine found in the opioid supply",
         "Medetomidine, a strong veterinary sedative, was found in down. Expect heavy, long sedation; use with "
         "someone, carry naloxone.", link.format(3), ALERT_SOURCE),
        (day(95), "Metro", "drug alert", "Bromazolam common in down",
         "Many opioid samples contain bromazolam, a benzodiazepine-related drug. Naloxone does not reverse it; "
         "give naloxone for the opioid and call for help.", link.format(4), ALERT_SOURCE),
        (day(25), "North Coast", "drug alert", "Nitazene detected",
         "A nitazene opioid was detected by drug checking. Nitazenes are very strong; more naloxone may be needed.",
         link.format(5), ALERT_SOURCE),
        (day(8), "Valley", "overdose advisory", "More overdoses than usual",
         "Paramedics are responding to more drug poisonings than usual. Don't use alone, use drug checking, carry "
         "naloxone, call emergency services.", link.format(6), ALERT_SOURCE),
    ]


def write_alerts(path: Path, end_date: dt.date) -> int:
    """Write the external alerts CSV."""
    rows = demo_alerts(end_date)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(ALERT_COLUMNS)
        out.writerows(rows)
    return len(rows)
