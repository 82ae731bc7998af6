"""Signals that draft alerts for staff review (docs/signals.md); no Streamlit here.

Each rule is a function over a read-only warehouse connection (``rule(con, now,
settings) -> list[Suggestion]``), built on pure statistics over small series that the
unit tests check by hand. A signal never publishes: it is stored once in the app file
(``signal_suggestions``, keyed so the same signal is not suggested twice), and staff
accept it into a draft alert or dismiss it with a reason. docs/signals.md describes
every rule, its parameters and examples.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import classes, dictionary
from .alerts.model import AlertText
from .alerts.text import Evidence, suggest_severity, what_to_do
from .filters import Filters
from .metrics import positivity, wilson

DECIDERS = ("poster", "reviewer")  # may accept or dismiss (admin too); re-checked on every action
STATUSES = ("new", "accepted", "dismissed")
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
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data" / "signals.toml"


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


@dataclass(frozen=True)
class Suggestion:
    """One signal as staff see it: what fired, the evidence, and a suggested bilingual alert."""

    rule: str
    key: str  # stable across runs: rule|region|target|date
    title: str  # one line, English (the page shows text[lang].headline)
    severity: str  # suggested severity from the ladder in supplywatch.alerts.text
    substances: tuple[str, ...]
    regions: tuple[str, ...]
    evidence: tuple[str, ...]  # plain text lines naming sample ids, counts, dates
    text: dict[str, AlertText]
    stats: dict = field(default_factory=dict)


# ================================================================ statistics (pure)

def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def two_proportion_test(k1: int, n1: int, k0: int, n0: int) -> tuple[float, float]:
    """Pooled two-proportion z-test of 'recent share > baseline share': (z, one-sided p)."""
    if not n1 or not n0:
        return 0.0, 1.0
    pooled = (k1 + k0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 0.0, 1.0
    z = (k1 / n1 - k0 / n0) / se
    return z, normal_sf(z)


def mann_whitney_greater(recent: list[float], baseline: list[float]) -> tuple[float, float]:
    """Mann-Whitney U of 'recent tends to be larger', normal approximation with tie correction: (U, one-sided p)."""
    n1, n0 = len(recent), len(baseline)
    if not n1 or not n0:
        return 0.0, 1.0
    pooled = sorted([(v, 1) for v in recent] + [(v, 0) for v in baseline])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for r in range(i, j + 1):
            ranks[r] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    r1 = sum(rank for rank, (_, grp) in zip(ranks, pooled) if grp == 1)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n0
    var = n1 * n0 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return u, 1.0
    z = (u - n1 * n0 / 2 - 0.5) / math.sqrt(var)  # continuity correction
    return u, normal_sf(z)


def _mean_sd(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def ears(values: list[float | None], method: str = "C2", min_sigma: float = 0.5,
         min_baseline: int = 5) -> list[float | None]:
    """EARS C1/C2/C3 statistic for every period of an evenly spaced count series (None = missing).

    C1: (x_t - mean) / sd over the 7 periods t-7..t-1. C2: the same over t-9..t-3 (a
    2-period lag). C3: the sum over t-2..t of max(0, C2 - 1). sd is the sample SD, floored
    at ``min_sigma``; a missing (suppressed) count is skipped, never read as 0; a period
    whose count or whose baseline (fewer than ``min_baseline`` counts) is missing gets None.
    """
    if method not in EARS_METHODS:
        raise ValueError(f"EARS method must be one of {', '.join(EARS_METHODS)}, got {method!r}")
    lag = 0 if method == "C1" else 2

    def c(t: int, lag: int) -> float | None:
        x = values[t]
        start = t - 7 - lag
        if x is None or start < 0:
            return None
        base = [v for v in values[start:t - lag] if v is not None]
        if len(base) < min_baseline:
            return None
        mean, sd = _mean_sd(base)
        return (x - mean) / max(sd, min_sigma)

    if method in ("C1", "C2"):
        return [c(t, lag) for t in range(len(values))]
    c2 = [c(t, 2) for t in range(len(values))]
    out: list[float | None] = []
    for t in range(len(values)):
        window = c2[t - 2:t + 1] if t >= 2 else []
        out.append(sum(max(0.0, v - 1) for v in window) if len(window) == 3 and None not in window else None)
    return out


# ================================================================ text helpers

MEASURES = {
    "deaths": ("drug poisoning deaths", "décès par intoxication aux drogues"),
    "hospitalizations": ("hospitalizations for drug poisoning", "hospitalisations pour intoxication"),
    "ed_visits": ("emergency visits for drug poisoning", "visites aux urgences pour intoxication"),
    "ems": ("paramedic calls for drug poisoning", "appels aux paramédics pour intoxication"),
    "non_fatal": ("non-fatal overdoses", "surdoses non mortelles"),
    "other": ("drug poisoning events", "intoxications aux drogues"),
}


def target_label(target: str, lang: str) -> str:
    """A substance or class as readers say it ('Nitazenes' / 'nitazènes', 'carfentanil')."""
    if target in classes.CLASSES:
        return classes.label(target, lang)
    try:
        entry = dictionary.load_dictionary().substances.get(target)
    except Exception:  # the dictionary is optional for naming; fall back to the canonical name
        entry = None
    return entry.label(lang) if entry else target


def _mid(label: str) -> str:
    """A label inside a sentence: 'Nitazenes' -> 'nitazenes', but 'MDMA' stays."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _classes_of(target: str) -> tuple[str, ...]:
    try:
        slug = dictionary.class_of(target)
    except Exception:
        slug = None
    return (slug,) if slug else ()


def _where(region: str | None, lang: str) -> str:
    if region:
        return region
    return "all areas" if lang == "en" else "toutes les régions"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _alert_text(headline: tuple[str, str], details: tuple[str, str], cls: tuple[str, ...]) -> dict[str, AlertText]:
    return {
        lang: AlertText(headline=headline[i], details=details[i], what_to_do=what_to_do(cls, lang))
        for i, lang in enumerate(("en", "fr"))
    }


def _key(*parts) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


def _severity(**facts) -> str:
    return suggest_severity(Evidence(**facts))[0]


def _today(now: dt.datetime) -> dt.date:
    return now.date() if isinstance(now, dt.datetime) else now


# ================================================================ rules

def first_detection(con: duckdb.DuckDBPyConnection, now: dt.datetime, settings: SignalSettings) -> list[Suggestion]:
    """A high-risk substance or class found in a region with no detection there in the lookback before it.

    Targets: substances flagged high_risk in the dictionary (outside high-risk classes) and the
    high-risk classes themselves (nitazenes: any member, or a positive nitazene strip).
    Only first detections within the last ``recent_days`` are suggested.
    """
    today = _today(now)
    hr_classes = sorted(classes.HIGH_RISK_CLASSES) or ["-"]
    marks = ", ".join("?" for _ in hr_classes)
    rows = con.execute(
        f"""
        WITH hits AS (  -- detections carry their sample's region and date (warehouse migration 3): no join
            SELECT d.region, d.substance AS target, d.collected_date AS day, d.sample_id
            FROM detections d JOIN substances sub ON sub.substance = d.substance
            WHERE sub.high_risk AND d.class NOT IN ({marks}) AND d.collected_date <= ?
            UNION ALL
            SELECT d.region, d.class AS target, d.collected_date AS day, d.sample_id
            FROM detections d
            WHERE d.class IN ({marks}) AND d.collected_date <= ?
        ),
        days AS (
            SELECT region, target, day, list(DISTINCT sample_id ORDER BY sample_id) AS ids,
                   lag(day) OVER (PARTITION BY region, target ORDER BY day) AS prev
            FROM hits GROUP BY region, target, day
        )
        SELECT region, target, day, prev, ids,
               (SELECT list(DISTINCT h.sample_id ORDER BY h.sample_id) FROM hits h
                WHERE h.region IS NOT DISTINCT FROM days.region AND h.target = days.target AND h.day >= days.day)
        FROM days
        WHERE (prev IS NULL OR day - prev > ?) AND day > ?
        ORDER BY day, region, target
        """,
        [*hr_classes, today, *hr_classes, today, settings.lookback_days, today - dt.timedelta(days=settings.recent_days)],
    ).fetchall()
    out = []
    for region, target, day, prev, ids, since in rows:
        before = (f"last seen there {prev.isoformat()}" if prev else "never seen there before in the data")
        before_fr = (f"vu pour la dernière fois le {prev.isoformat()}" if prev else "jamais vu auparavant dans les données")
        evidence = (
            f"first detection of {target} in {_where(region, 'en')} on {day.isoformat()} "
            f"(none in the {settings.lookback_days} days before; {before})",
            f"samples on {day.isoformat()}: {', '.join(ids)}",
            f"samples with it since: {len(since)} ({', '.join(since[:10])}{' ...' if len(since) > 10 else ''})",
        )
        en, fr = _mid(target_label(target, "en")), _mid(target_label(target, "fr"))
        text = _alert_text(
            (f"{en[:1].upper() + en[1:]} found for the first time in {_where(region, 'en')}",
             f"Premier signalement : {fr} ({_where(region, 'fr')})"),
            (f"Drug checking found {en} in {len(since)} sample(s) since {day.isoformat()} in "
             f"{_where(region, 'en')}. It had not been found there in the {settings.lookback_days} days before "
             f"({before}).",
             f"L'analyse de drogues a trouvé : {fr} dans {len(since)} échantillon(s) depuis le {day.isoformat()} "
             f"({_where(region, 'fr')}). Aucune détection dans les {settings.lookback_days} jours précédents "
             f"({before_fr})."),
            _classes_of(target),
        )
        out.append(Suggestion(
            rule="first_detection", key=_key("first_detection", region, target, day),
            title=text["en"].headline, severity=_severity(high_risk_first_detection=True),
            substances=(target,), regions=(region,) if region else (), evidence=evidence, text=text,
            stats={"first_date": day.isoformat(), "previous_date": prev.isoformat() if prev else None,
                   "samples": len(since)},
        ))
    return out


def positivity_rise(con: duckdb.DuckDBPyConnection, now: dt.datetime, settings: SignalSettings) -> list[Suggestion]:
    """This period's positivity above the baseline's: n >= min_n in both, one-sided z-test p < alpha.

    Recent = the last ``recent_days`` up to ``now``; baseline = the ``baseline_days`` before it.
    Denominators are the samples tested by a method sensitive enough to detect the target (supplywatch.metrics:
    an FTIR negative does not count for benzodiazepines, nitazenes, carfentanil or medetomidine).
    """
    today = _today(now)
    recent_start = today - dt.timedelta(days=settings.recent_days - 1)
    base_end = recent_start - dt.timedelta(days=1)
    base_start = recent_start - dt.timedelta(days=settings.baseline_days)
    targets = list(settings.positivity_targets)
    recent = positivity(con, Filters(start=recent_start, end=today), targets, period=None, group="region")
    base = positivity(con, Filters(start=base_start, end=base_end), targets, period=None, group="region")
    base_by = {(r.grp, r.target): r for r in base.itertuples()}
    out = []
    for r in recent.itertuples():
        b = base_by.get((r.grp, r.target))
        if b is None or r.n < settings.min_n or b.n < settings.min_n:
            continue
        z, p = two_proportion_test(int(r.k), int(r.n), int(b.k), int(b.n))
        if p >= settings.alpha or r.k / r.n <= b.k / b.n:
            continue
        region = None if r.grp in (None, "?") else r.grp
        lo1, hi1 = wilson(int(r.k), int(r.n))
        lo0, hi0 = wilson(int(b.k), int(b.n))
        p1, p0 = r.k / r.n, b.k / b.n
        evidence = (
            f"{r.target} in {_where(region, 'en')}: {r.k} of {r.n} tested samples "
            f"{recent_start.isoformat()} to {today.isoformat()} = {_pct(p1)} (95% CI {_pct(lo1)} to {_pct(hi1)})",
            f"baseline {base_start.isoformat()} to {base_end.isoformat()}: {b.k} of {b.n} = {_pct(p0)} "
            f"(95% CI {_pct(lo0)} to {_pct(hi0)})",
            f"two-proportion z = {z:.2f}, one-sided p = {p:.4f} (threshold {settings.alpha})",
        )
        en, fr = _mid(target_label(r.target, "en")), _mid(target_label(r.target, "fr"))
        text = _alert_text(
            (f"More samples with {en} in {_where(region, 'en')}",
             f"Plus d'échantillons contenant : {fr} ({_where(region, 'fr')})"),
            (f"{_pct(p1)} of samples checked in the last {settings.recent_days} days had {en} "
             f"({r.k} of {r.n}), up from {_pct(p0)} ({b.k} of {b.n}) in the {settings.baseline_days} days before.",
             f"{_pct(p1)} des échantillons analysés dans les {settings.recent_days} derniers jours contenaient : {fr} "
             f"({r.k} sur {r.n}), contre {_pct(p0)} ({b.k} sur {b.n}) dans les {settings.baseline_days} jours "
             f"précédents."),
            _classes_of(r.target),
        )
        out.append(Suggestion(
            rule="positivity_rise", key=_key("positivity_rise", region, r.target, recent_start),
            title=text["en"].headline, severity=_severity(positivity_rise=True),
            substances=(r.target,), regions=(region,) if region else (), evidence=evidence, text=text,
            stats={"k": int(r.k), "n": int(r.n), "k0": int(b.k), "n0": int(b.n), "z": round(z, 4), "p": p},
        ))
    return out


def concentration_spike(con: duckdb.DuckDBPyConnection, now: dt.datetime,
                        settings: SignalSettings) -> list[Suggestion]:
    """Recent median fentanyl % at least ``concentration_ratio`` x the trailing baseline's, Mann-Whitney p < alpha."""
    today = _today(now)
    recent_start = today - dt.timedelta(days=settings.recent_days - 1)
    base_start = recent_start - dt.timedelta(days=settings.baseline_days)
    rows = con.execute(
        """
        SELECT region, collected_date >= ? AS recent, list(fentanyl_pct ORDER BY fentanyl_pct)
        FROM samples WHERE fentanyl_pct IS NOT NULL AND collected_date BETWEEN ? AND ?
        GROUP BY ALL
        """,
        [recent_start, base_start, today],
    ).fetchall()
    series: dict[str | None, dict[bool, list[float]]] = {}
    for region, is_recent, values in rows:
        series.setdefault(region, {})[bool(is_recent)] = list(values)
    out = []
    for region, parts in sorted(series.items(), key=lambda kv: kv[0] or ""):
        recent, base = parts.get(True, []), parts.get(False, [])
        if len(recent) < settings.concentration_min_n or len(base) < settings.concentration_min_n:
            continue
        m1, m0 = _median(recent), _median(base)
        u, p = mann_whitney_greater(recent, base)
        if m0 <= 0 or m1 < settings.concentration_ratio * m0 or p >= settings.alpha:
            continue
        evidence = (
            f"median fentanyl {m1:.1f}% in {len(recent)} quantified samples {recent_start.isoformat()} to "
            f"{today.isoformat()} ({_where(region, 'en')})",
            f"baseline median {m0:.1f}% in {len(base)} samples {base_start.isoformat()} to "
            f"{(recent_start - dt.timedelta(days=1)).isoformat()}; ratio {m1 / m0:.2f} "
            f"(threshold {settings.concentration_ratio})",
            f"Mann-Whitney U = {u:.1f}, one-sided p = {p:.4f} (threshold {settings.alpha})",
        )
        text = _alert_text(
            (f"Stronger fentanyl in {_where(region, 'en')}",
             f"Fentanyl plus concentré ({_where(region, 'fr')})"),
            (f"The median fentanyl content of samples checked in the last {settings.recent_days} days was "
             f"{m1:.1f}%, up from {m0:.1f}% in the {settings.baseline_days} days before.",
             f"La teneur médiane en fentanyl des échantillons analysés dans les {settings.recent_days} derniers "
             f"jours était de {m1:.1f} %, contre {m0:.1f} % dans les {settings.baseline_days} jours précédents."),
            ("fentanyl",),
        )
        out.append(Suggestion(
            rule="concentration_spike", key=_key("concentration_spike", region, "fentanyl", recent_start),
            title=text["en"].headline, severity=_severity(concentration_spike=True),
            substances=("fentanyl",), regions=(region,) if region else (), evidence=evidence, text=text,
            stats={"median": m1, "baseline_median": m0, "n": len(recent), "n0": len(base), "u": u, "p": p},
        ))
    return out


def _median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def overdose_spike(con: duckdb.DuckDBPyConnection, now: dt.datetime, settings: SignalSettings) -> list[Suggestion]:
    """EARS (C2 by default) on daily and weekly overdose counts per region and measure.

    Series are totals (no breakdown) in unit 'count'. Suppressed or absent periods are
    missing, never 0. A run of flagged periods ending in the last ``ears_recent_periods``
    is one suggestion, keyed by the run's first period.
    """
    method = settings.ears_method
    threshold = EARS_THRESHOLDS[method]
    today = _today(now)
    rows = con.execute(
        """
        SELECT region, measure, period_type, period_start,
               CASE WHEN bool_or(suppressed) OR count(value) = 0 THEN NULL ELSE sum(value) END
        FROM overdose_events
        WHERE unit = 'count' AND breakdown IS NULL AND period_type IN ('day', 'week') AND period_start <= ?
        GROUP BY ALL ORDER BY region, measure, period_type, period_start
        """,
        [today],
    ).fetchall()
    groups: dict[tuple, dict[dt.date, float | None]] = {}
    for region, measure, ptype, start, value in rows:
        groups.setdefault((region, measure, ptype), {})[start] = value
    out = []
    for (region, measure, ptype), by_day in groups.items():
        step = dt.timedelta(days=1 if ptype == "day" else 7)
        first, last = min(by_day), max(by_day)
        days = [first + i * step for i in range((last - first) // step + 1)]
        values = [by_day.get(d) for d in days]
        stats = ears(values, method, settings.ears_min_sigma, settings.ears_min_baseline)
        flagged = [i for i, s in enumerate(stats) if s is not None and s > threshold]
        recent_from = today - step * settings.ears_recent_periods
        flagged = [i for i in flagged if days[i] > recent_from]
        if not flagged:
            continue
        end = flagged[-1]
        start = end
        while start - 1 >= 0 and stats[start - 1] is not None and stats[start - 1] > threshold:
            start -= 1
        lag = 0 if method == "C1" else 2
        b0, b1 = max(0, end - 7 - lag), end - lag
        base = [v for v in values[b0:b1] if v is not None]
        mean, sd = _mean_sd(base)
        m_en, m_fr = MEASURES.get(measure, MEASURES["other"])
        unit_en = "day" if ptype == "day" else "week"
        evidence = (
            f"{m_en} in {_where(region, 'en')}: {values[end]:g} in the {unit_en} of {days[end].isoformat()}",
            f"baseline {days[b0].isoformat()} to {days[b1 - 1].isoformat()}: mean {mean:.2f}, SD {sd:.2f} "
            f"over {len(base)} {unit_en}s (suppressed or missing {unit_en}s skipped)",
            f"EARS {method} = {stats[end]:.2f} (threshold {threshold:g}); flagged since {days[start].isoformat()}",
        )
        text = _alert_text(
            (f"More {m_en} than usual in {_where(region, 'en')}",
             f"Plus de {m_fr} que d'habitude ({_where(region, 'fr')})"),
            (f"{values[end]:g} {m_en} were counted in the {unit_en} of {days[end].isoformat()}, against an "
             f"average of {mean:.1f} in the weeks before.",
             f"{values[end]:g} {m_fr} ont été comptés pour la période du {days[end].isoformat()}, contre une "
             f"moyenne de {mean:.1f} auparavant."),
            ("opioid_unspecified",),
        )
        out.append(Suggestion(
            rule="overdose_spike", key=_key("overdose_spike", region, measure, ptype, days[start]),
            title=text["en"].headline, severity=_severity(overdose_spike=True),
            substances=(), regions=(region,) if region else (), evidence=evidence, text=text,
            stats={"method": method, "statistic": round(stats[end], 4), "count": values[end], "mean": mean,
                   "sd": sd, "period_type": ptype, "period": days[end].isoformat()},
        ))
    return out


RULE_FUNCTIONS = {
    "first_detection": first_detection,
    "positivity_rise": positivity_rise,
    "concentration_spike": concentration_spike,
    "overdose_spike": overdose_spike,
}


def run_all(con: duckdb.DuckDBPyConnection, now: dt.datetime, settings: SignalSettings | None = None) -> list[Suggestion]:
    """Every rule over the warehouse behind ``con`` as of ``now``; most severe first."""
    settings = settings or SignalSettings()
    if settings.ears_method not in EARS_METHODS:
        raise ValueError(f"EARS method must be one of {', '.join(EARS_METHODS)}, got {settings.ears_method!r}")
    found = [s for rule in RULE_FUNCTIONS.values() for s in rule(con, now, settings)]
    rank = {"warning": 0, "caution": 1, "information": 2}
    return sorted(found, key=lambda s: (rank.get(s.severity, 3), s.rule, s.key))


# ================================================================ storage (app file)

def _as_row(s: Suggestion, now: dt.datetime) -> list:
    text = {lang: dataclasses.asdict(t) for lang, t in s.text.items()}
    return [s.key, s.rule, s.title, s.severity, list(s.substances), list(s.regions), list(s.evidence),
            json.dumps(text, ensure_ascii=False), json.dumps(s.stats, ensure_ascii=False, default=str), now]


def save(app: duckdb.DuckDBPyConnection, suggestions: list[Suggestion], now: dt.datetime) -> list[Suggestion]:
    """Store suggestions not seen before (by key); return the new ones. Decided ones are never reopened."""
    known = {r[0] for r in app.execute("SELECT signal_key FROM signal_suggestions").fetchall()}
    new = [s for s in suggestions if s.key not in known]
    for s in new:
        app.execute(
            "INSERT INTO signal_suggestions (signal_key, rule, title, severity, substances, regions, evidence, "
            "text_json, stats_json, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _as_row(s, now),
        )
    return new


@dataclass(frozen=True)
class Stored:
    """A suggestion as stored, with its decision."""

    suggestion: Suggestion
    detected_at: dt.datetime
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None
    alert_id: str | None


def load(app: duckdb.DuckDBPyConnection, status: str | None = None) -> list[Stored]:
    """Stored suggestions (optionally of one status), newest first."""
    sql = ("SELECT signal_key, rule, title, severity, substances, regions, evidence, text_json, stats_json, "
           "detected_at, status, decided_by, decided_at, reason, alert_id FROM signal_suggestions")
    params: list = []
    if status:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        sql += " WHERE status = ?"
        params.append(status)
    rows = app.execute(sql + " ORDER BY detected_at DESC, signal_key", params).fetchall()
    out = []
    for row in rows:
        text = {lang: AlertText(**t) for lang, t in json.loads(row[7]).items()}
        suggestion = Suggestion(rule=row[1], key=row[0], title=row[2], severity=row[3], substances=tuple(row[4]),
                                regions=tuple(row[5]), evidence=tuple(row[6]), text=text,
                                stats=json.loads(row[8]) if row[8] else {})
        out.append(Stored(suggestion, row[9], row[10], row[11], row[12], row[13], row[14]))
    return out


class DecisionError(ValueError):
    """A decision that cannot be recorded (no reason, already decided, unknown key)."""


def _open_one(app: duckdb.DuckDBPyConnection, key: str) -> Stored:
    match = [s for s in load(app) if s.suggestion.key == key]
    if not match:
        raise DecisionError(f"no signal suggestion with key {key!r}")
    if match[0].status != "new":
        raise DecisionError(f"suggestion {key!r} was already {match[0].status} by {match[0].decided_by}")
    return match[0]


def dismiss(app: duckdb.DuckDBPyConnection, key: str, actor: str, reason: str, now: dt.datetime) -> None:
    """Record that ``actor`` dismissed the suggestion, with the reason they gave (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError("a reason is needed to dismiss a suggestion")
    _open_one(app, key)
    app.execute(
        "UPDATE signal_suggestions SET status = 'dismissed', decided_by = ?, decided_at = ?, reason = ? "
        "WHERE signal_key = ? AND status = 'new'",
        [actor, now, reason, key],
    )


def mark_accepted(app: duckdb.DuckDBPyConnection, key: str, actor: str, alert_id: str, now: dt.datetime) -> None:
    """Record that ``actor`` accepted the suggestion into the draft ``alert_id``."""
    _open_one(app, key)
    app.execute(
        "UPDATE signal_suggestions SET status = 'accepted', decided_by = ?, decided_at = ?, alert_id = ? "
        "WHERE signal_key = ? AND status = 'new'",
        [actor, now, alert_id, key],
    )


def newest_data_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The newest day the rules can see: a sample's collection date or a daily/weekly overdose period's start."""
    return con.execute(
        """
        SELECT greatest((SELECT max(collected_date) FROM samples),
                        (SELECT max(period_start) FROM overdose_events
                         WHERE unit = 'count' AND period_type IN ('day', 'week')))
        """
    ).fetchone()[0]


def as_of(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> dt.datetime:
    """When to run the rules by default: ``now``, or the end of the newest data day when the data end before today.

    Every rule looks back ``recent_days`` from its "today"; a warehouse whose newest sample is
    a month old (the demo, or a site that loads monthly) would otherwise never suggest anything,
    with no reason given. Staff are told the date (page and CLI); ``--at`` still picks any time.
    """
    newest = newest_data_date(con)
    if newest is None or newest >= _today(now):
        return now
    return dt.datetime.combine(newest, dt.time(23, 59, 59), tzinfo=dt.timezone.utc)


def default_as_of(now: dt.datetime, db: str | None = None) -> dt.datetime:
    """:func:`as_of` on the current warehouse snapshot (what the next run will use)."""
    from . import db as dbmod

    con = dbmod.connect_readonly(db)
    try:
        return as_of(con, now)
    finally:
        con.close()


def as_of_note(at: dt.datetime, now: dt.datetime, lang: str = "en") -> str:
    """One sentence telling staff which day the signals were checked as of, and why when it is not today."""
    from . import i18n

    _ = i18n.translator(lang)
    day = i18n.format_date(_today(at), lang, "long")
    if _today(at) < _today(now):
        return _("Checked as of {date}, the day of the newest data: the samples and overdose counts end there, "
                 "so the signals look back from that day.").format(date=day)
    return _("Checked as of today, {date}.").format(date=day)


def run_and_store(now: dt.datetime, settings: SignalSettings | None = None, db: str | None = None,
                  at: dt.datetime | None = None) -> list[Suggestion]:
    """Run every rule on the current warehouse snapshot and store the new suggestions (after a load, or on demand).

    The rules run as of ``at``, by default :func:`as_of` (the newest data); ``now`` is when they are stored.
    """
    return run_as_of(now, settings, db, at)[1]


def run_as_of(now: dt.datetime, settings: SignalSettings | None = None, db: str | None = None,
              at: dt.datetime | None = None) -> tuple[dt.datetime, list[Suggestion]]:
    """:func:`run_and_store`, also returning the time the rules ran as of (to tell staff)."""
    from . import db as dbmod

    con = dbmod.connect_readonly(db)
    try:
        at = at or as_of(con, now)
        found = run_all(con, at, settings or load_settings())
    finally:
        con.close()
    with dbmod.app_connection(db) as app:
        return at, save(app, found, now)


def accept(key: str, actor: str, now: dt.datetime, regions: tuple[str, ...] | None = None):
    """Turn a new suggestion into a draft alert (store.create_draft) and record who accepted it.

    ``regions`` replaces the suggestion's regions (a draft needs at least one; a signal over
    samples without a region has none). The draft still goes through review like any other.
    """
    from . import db as dbmod
    from .alerts import store

    _check_actor(actor, "accept signal", now)
    with dbmod.app_connection() as app:
        stored = _open_one(app, key).suggestion
    alert = store.create_draft(
        text=stored.text, severity=stored.severity, substances=stored.substances,
        regions=tuple(regions) if regions else stored.regions,
        evidence=(f"signal {stored.rule}: {stored.key}", *stored.evidence), actor=actor, now=now,
    )
    with dbmod.app_connection() as app:
        mark_accepted(app, key, actor, alert.alert_id, now)
    return alert


def _check_actor(actor: str, action: str, now: dt.datetime) -> None:
    """Re-read ``actor`` from the database: only an enabled poster, reviewer or admin may decide (refusals audited)."""
    from . import auth

    if auth.current_user(actor, *DECIDERS) is None:
        auth.refuse(actor, action, DECIDERS, now)
        raise DecisionError(f"{action} needs the {' or '.join(DECIDERS)} role")


def decide_dismiss(key: str, actor: str, reason: str, now: dt.datetime) -> None:
    """Dismiss a suggestion as ``actor`` (role re-checked), with the reason they gave."""
    from . import db as dbmod

    _check_actor(actor, "dismiss signal", now)
    with dbmod.app_connection() as app:
        dismiss(app, key, actor, reason, now)


def stored_suggestions(status: str | None = None) -> list[Stored]:
    """Suggestions from the app file (for the staff page)."""
    from . import db as dbmod

    with dbmod.app_connection() as app:
        return load(app, status)


def main(argv: list[str] | None = None) -> int:
    """``python -m supplywatch.signals [--db FILE] [--at ISO-TIME] [--dry-run]``: run every rule (after a load, cron)."""
    import argparse
    import sys

    p = argparse.ArgumentParser(
        prog="python -m supplywatch.signals",
        description="Run every signal rule on the current warehouse and store the new suggestions for staff review "
        "(nothing is published). Settings: data/signals.toml or SUPPLYWATCH_SIGNALS.",
    )
    p.add_argument("--db", help="warehouse file (default: SUPPLYWATCH_DB or data/supplywatch.duckdb)")
    p.add_argument("--at", help="check as of this UTC time, e.g. 2026-10-31T12:00 "
                   "(default: now, or the end of the newest data day when the data end before today)")
    p.add_argument("--dry-run", action="store_true", help="print what would be suggested; store nothing")
    args = p.parse_args(argv)
    now = dt.datetime.now(dt.timezone.utc)
    try:
        at = dt.datetime.fromisoformat(args.at) if args.at else None
    except ValueError:
        print(f"python -m supplywatch.signals: --at {args.at!r} is not an ISO date and time", file=sys.stderr)
        return 2
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    try:
        settings = load_settings()
        if args.dry_run:
            from . import db as dbmod

            con = dbmod.connect_readonly(args.db)
            try:
                at = at or as_of(con, now)
                found = run_all(con, at, settings)
            finally:
                con.close()
        else:
            at, found = run_as_of(at or now, settings, args.db, at)
    except Exception as exc:  # one line for cron mail, no traceback
        print(f"python -m supplywatch.signals: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return 1
    verb = "found" if args.dry_run else "new"
    print(f"Checked as of {at.isoformat(timespec='minutes')} (--at)." if args.at else as_of_note(at, now))
    print(f"{len(found)} {verb} suggestion(s)")
    for s in found:
        print(f"  [{s.severity}] {s.title}  ({s.key})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
