"""The four signal rules (docs/signals.md): ``rule(con, now, settings) -> list[Suggestion]`` over a read-only
warehouse connection, each with the bilingual alert text it suggests, and :func:`run_all`."""

from __future__ import annotations

import datetime as dt

import duckdb

from .. import classes, dictionary
from ..alerts.model import AlertText
from ..alerts.text import Evidence, suggest_severity, what_to_do
from ..filters import Filters
from ..metrics import positivity, wilson
from .settings import EARS_METHODS, EARS_THRESHOLDS, SignalSettings
from .statistics import _mean_sd, _median, ears, mann_whitney_greater, two_proportion_test
from .suggestion import Suggestion
from .suggestion import day_of as _today

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
