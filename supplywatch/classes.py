"""Substance classes, detection methods and which method can detect what.

One slug per class is used everywhere (``substances.class``, ``detections.class``,
``samples.expected_class``). Each class has exactly one name per language, here, and nowhere else (no .po entry,
no table in a page): the dashboard, alerts, signals and exports all say the same thing (tests/dashboard/
test_class_names.py). The names are the ones readers already saw on the public pages. ``STRIP_TARGETS`` and ``BROAD_METHODS`` feed
:func:`supplywatch.dictionary.capable_methods`, the method-aware denominator of a positivity rate
(docs/methods.md, "Positivity"): a sample counts as tested for X only if one of its methods could have found X.
This is the ground floor of the domain: of the project it imports only the SQL quoting helper.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sql_text import sql_literals


@dataclass(frozen=True)
class SubstanceClass:
    """One class: its slug, labels and short descriptions in English and French."""

    slug: str
    label_en: str
    label_fr: str
    description_en: str
    description_fr: str
    detectable: bool = True  # False for categories no method can "find" (placeholder, unknown ...)
    class_level: bool = False  # an expected-substance category, not a substance a method reports


_CLASS_LIST = [
    SubstanceClass(
        "fentanyl", "Fentanyl & analogues", "Fentanyl et analogues",
        "Fentanyl and its analogues: carfentanil, fluorofentanyl, acetylfentanyl and others.",
        "Le fentanyl et ses analogues : carfentanil, fluorofentanyl, acétylfentanyl et autres.",
    ),
    SubstanceClass(
        "nitazene", "Nitazenes", "Nitazènes",
        "Benzimidazole opioids, often stronger than fentanyl: isotonitazene, metonitazene, protonitazene ...",
        "Opioïdes benzimidazolés, souvent plus puissants que le fentanyl : isotonitazène, métonitazène ...",
    ),
    SubstanceClass(
        "opioid_other", "Other opioids", "Autres opioïdes",
        "Heroin, morphine, oxycodone, hydromorphone, methadone and other opioids.",
        "Héroïne, morphine, oxycodone, hydromorphone, méthadone et autres opioïdes.",
    ),
    SubstanceClass(
        "benzodiazepine", "Benzodiazepine-related drugs", "Drogues apparentées aux benzodiazépines",
        "Benzodiazepines and related drugs, including designer ones such as bromazolam and etizolam.",
        "Benzodiazépines et apparentées, y compris de synthèse comme le bromazolam et l'étizolam.",
    ),
    SubstanceClass(
        "alpha2_sedative", "Veterinary sedatives (xylazine, medetomidine)",
        "Sédatifs vétérinaires (xylazine, médétomidine)",
        "Veterinary sedatives such as xylazine and medetomidine; naloxone does not reverse them.",
        "Sédatifs vétérinaires comme la xylazine et la médétomidine; la naloxone ne les renverse pas.",
    ),
    SubstanceClass(
        "depressant", "Other depressants", "Autres dépresseurs",
        "GHB/GBL, barbiturates, Z-drugs, gabapentinoids and other depressants.",
        "GHB/GBL, barbituriques, médicaments en Z, gabapentinoïdes et autres dépresseurs.",
    ),
    SubstanceClass(
        "stimulant", "Stimulants", "Stimulants",
        "Methamphetamine, cocaine, MDMA, amphetamine, cathinones and other stimulants.",
        "Méthamphétamine, cocaïne, MDMA, amphétamine, cathinones et autres stimulants.",
    ),
    SubstanceClass(
        "dissociative", "Dissociatives", "Dissociatifs",
        "Ketamine, PCP and related dissociatives, dextromethorphan.",
        "Kétamine, PCP et dissociatifs apparentés, dextrométhorphane.",
    ),
    SubstanceClass(
        "psychedelic", "Psychedelics", "Psychédéliques",
        "LSD, psilocybin, DMT, 2C-x, mescaline and other psychedelics.",
        "LSD, psilocybine, DMT, 2C-x, mescaline et autres psychédéliques.",
    ),
    SubstanceClass(
        "cannabis", "Cannabis", "Cannabis",
        "THC, THCA, CBD and cannabis products.",
        "THC, THCA, CBD et produits du cannabis.",
    ),
    SubstanceClass(
        "synthetic_cannabinoid", "Synthetic cannabinoids", "Cannabinoïdes de synthèse",
        "Synthetic cannabinoid receptor agonists such as AMB-FUBINACA and 5F-ADB.",
        "Agonistes de synthèse des récepteurs cannabinoïdes comme l'AMB-FUBINACA et le 5F-ADB.",
    ),
    SubstanceClass(
        "cut", "Cuts and buffers", "Agents de coupe",
        "Cuts, buffers and fillers: caffeine, mannitol, erythritol, inositol, lidocaine, phenacetin ...",
        "Agents de coupe et charges : caféine, mannitol, érythritol, inositol, lidocaïne, phénacétine ...",
    ),
    SubstanceClass(
        "precursor", "Precursors and by-products", "Précurseurs et sous-produits",
        "Manufacturing precursors and by-products, e.g. 4-ANPP from fentanyl synthesis.",
        "Précurseurs et sous-produits de fabrication, p. ex. le 4-ANPP issu de la synthèse du fentanyl.",
    ),
    SubstanceClass(
        "other", "Other", "Autre",
        "Other active substances and medicines: acetaminophen, antihistamines, steroids ...",
        "Autres substances actives et médicaments : acétaminophène, antihistaminiques, stéroïdes ...",
    ),
    SubstanceClass(
        "opioid_unspecified", "Opioid (unspecified)", "Opioïde (non précisé)",
        "Sold as an opioid without naming it, e.g. 'Down (Unknown Opioid)'.",
        "Vendu comme opioïde sans le nommer, p. ex. « down » (opioïde inconnu).",
        class_level=True,
    ),
    SubstanceClass(
        "unknown", "Sold as unknown", "Vendu comme inconnu",
        "The person did not know what the sample was meant to be.",
        "La personne ne savait pas ce que l'échantillon était censé contenir.",
        detectable=False, class_level=True,
    ),
    SubstanceClass(
        "placeholder", "Not a substance", "Pas une substance",
        "Instrument or form placeholders such as 'Uncertain Match' or 'No Library Match'.",
        "Mentions de l'instrument ou du formulaire comme « Uncertain Match » ou « No Library Match ».",
        detectable=False,
    ),
    SubstanceClass(
        "unclassified", "Unknown name", "Nom inconnu",
        "A name the dictionary does not know yet; kept as written and listed for review.",
        "Un nom que le dictionnaire ne connaît pas encore; conservé tel quel et listé pour révision.",
        detectable=False,
    ),
]

CLASSES: dict[str, SubstanceClass] = {c.slug: c for c in _CLASS_LIST}

# Classes of real substances (what charts list), most dangerous first. The same order
# decides which part of a combination like 'Fentanyl and Heroin' an expected name maps to.
SUBSTANCE_CLASSES: tuple[str, ...] = (
    "fentanyl", "nitazene", "opioid_other", "alpha2_sedative", "benzodiazepine", "depressant",
    "stimulant", "dissociative", "synthetic_cannabinoid", "psychedelic", "cannabis",
    "other", "precursor", "cut",
)

# For a class-level expected category: which found classes count as "found as expected".
EXPECTED_MATCHES: dict[str, frozenset[str]] = {
    "opioid_unspecified": frozenset({"fentanyl", "nitazene", "opioid_other"}),
    "unknown": frozenset(),
}

# Dictionary entries that stand for "some member of their class" (FTIR's 'Fentanyl or Analog',
# 'Benzo' as sold ...). An expected one is met by any find of its class, and one found meets an
# expectation of any member of its class (the method could not tell them apart).
UNSPECIFIED_SUBSTANCES: frozenset[str] = frozenset({
    "fentanyl or analogue", "nitazene (unspecified)", "benzodiazepine (unspecified)", "2c-x (unspecified)",
    "synthetic cannabinoid (unspecified)", "anabolic steroid", "cannabis",
})

# Whole classes whose first appearance in a region is worth a draft alert (docs/substances.md, "High risk").
HIGH_RISK_CLASSES: frozenset[str] = frozenset({"nitazene"})


@dataclass(frozen=True)
class Method:
    """A detection method, its labels and its limit in plain words."""

    slug: str
    label_en: str
    label_fr: str
    limit_en: str
    limit_fr: str


_METHOD_LIST = [
    Method(
        "ftir", "FTIR spectrometer", "Spectromètre FTIR",
        "Identifies most components, but misses those below about 5% by weight (often fentanyl, nitazenes, "
        "carfentanil and benzodiazepines at the doses found).",
        "Identifie la plupart des composants, mais manque ceux sous environ 5 % du poids (souvent le fentanyl, "
        "les nitazènes, le carfentanil et les benzodiazépines aux doses trouvées).",
    ),
    Method(
        "lab", "Laboratory (mass spectrometry)", "Laboratoire (spectrométrie de masse)",
        "Confirmatory; detects trace amounts; results take days.",
        "Confirmatoire; détecte les traces; résultats en quelques jours.",
    ),
    Method(
        "fentanyl_strip", "Fentanyl test strip", "Bandelette de détection du fentanyl",
        "Detects fentanyl and many analogues above a cut-off; not reliable for carfentanil or furanylfentanyl; "
        "concentrated methamphetamine, MDMA or diphenhydramine can give false positives.",
        "Détecte le fentanyl et de nombreux analogues au-delà d'un seuil; peu fiable pour le carfentanil et le "
        "furanylfentanyl; la méthamphétamine, la MDMA ou la diphénhydramine concentrées peuvent donner de faux positifs.",
    ),
    Method(
        "benzo_strip", "Benzodiazepine test strip", "Bandelette de détection des benzodiazépines",
        "Detects many benzodiazepines above a cut-off; sensitivity varies between drugs.",
        "Détecte de nombreuses benzodiazépines au-delà d'un seuil; la sensibilité varie selon la substance.",
    ),
    Method(
        "xylazine_strip", "Xylazine test strip", "Bandelette de détection de la xylazine",
        "Detects xylazine only; a negative result says nothing about medetomidine; lidocaine can give false positives.",
        "Détecte seulement la xylazine; un résultat négatif ne dit rien de la médétomidine; la lidocaïne peut "
        "donner de faux positifs.",
    ),
    Method(
        "nitazene_strip", "Nitazene test strip", "Bandelette de détection des nitazènes",
        "Detects many nitazenes above a cut-off; some analogues are missed.",
        "Détecte de nombreux nitazènes au-delà d'un seuil; certains analogues échappent.",
    ),
    Method(
        "medetomidine_strip", "Medetomidine test strip", "Bandelette de détection de la médétomidine",
        "Detects medetomidine (and dexmedetomidine) only.",
        "Détecte seulement la médétomidine (et la dexmédétomidine).",
    ),
]

METHODS: dict[str, Method] = {m.slug: m for m in _METHOD_LIST}
BROAD_METHODS: frozenset[str] = frozenset({"ftir", "lab"})



@dataclass(frozen=True)
class Strip:
    """One test strip: what it is built to detect (a class slug or a canonical substance), and what a positive
    result is stored as: the raw name written to detections, the substance (None when only the class is known)
    and its class."""

    target: str
    raw_name: str
    positive_substance: str | None
    positive_class: str


# Every strip the loader reads and the metrics count, in column order: the one strip table.
STRIPS: dict[str, Strip] = {
    "fentanyl_strip": Strip("fentanyl", "fentanyl", "fentanyl", "fentanyl"),  # class (fentanyl & analogues)
    "benzo_strip": Strip("benzodiazepine", "benzodiazepines", None, "benzodiazepine"),  # class
    "xylazine_strip": Strip("xylazine", "xylazine", "xylazine", "alpha2_sedative"),  # substance
    "nitazene_strip": Strip("nitazene", "nitazenes", None, "nitazene"),  # class
    "medetomidine_strip": Strip("medetomidine", "medetomidine", "medetomidine", "alpha2_sedative"),  # substance
}
# What each strip is built to detect: a class slug or a canonical substance.
STRIP_TARGETS: dict[str, str] = {column: strip.target for column, strip in STRIPS.items()}
# Members of a strip's class that the strip does not reliably detect: a negative strip
# result must not count as "tested" for them.
STRIP_BLIND_SPOTS: dict[str, frozenset[str]] = {
    "fentanyl_strip": frozenset({"carfentanil", "furanylfentanyl"}),
}


def _text(table: dict, slug: str | None, field: str, lang: str, strict: bool) -> str:
    """``field``_en or ``field``_fr of ``table[slug]``; unknown slugs come back as written unless ``strict``."""
    item = table[slug] if strict else table.get(slug or "")
    if item is None:
        return slug or ""
    return getattr(item, f"{field}_fr" if lang == "fr" else f"{field}_en")


def label(slug: str | None, lang: str = "en") -> str:
    """The class's display label in ``lang`` ('en' or 'fr'); unknown slugs come back as written."""
    return _text(CLASSES, slug, "label", lang, strict=False)


def description(slug: str, lang: str = "en") -> str:
    """One-sentence description of the class in ``lang``."""
    return _text(CLASSES, slug, "description", lang, strict=True)


def method_label(slug: str | None, lang: str = "en") -> str:
    """The method's display label in ``lang``; unknown slugs come back as written."""
    return _text(METHODS, slug, "label", lang, strict=False)


def method_limit(slug: str, lang: str = "en") -> str:
    """What the method cannot see, in one sentence (for captions and method notes)."""
    return _text(METHODS, slug, "limit", lang, strict=True)


def expected_matches(expected_substance: str | None, expected_class: str | None,
                     found_substance: str | None, found_class: str) -> bool:
    """Whether one finding meets what the sample was sold as (docs/methods.md, "Expected vs found").

    Same substance; or the expectation is a category ('Down (Unknown Opioid)': any fentanyl,
    nitazene or other opioid) or an unspecified member of a class ('Benzo': any benzodiazepine);
    or the finding is an unspecified member of the expected substance's class (expected
    fentanyl, FTIR found 'Fentanyl or Analog').
    """
    if expected_class in EXPECTED_MATCHES:
        return found_class in EXPECTED_MATCHES[expected_class]
    if expected_substance is None:
        return expected_class is not None and found_class == expected_class
    if found_substance == expected_substance:
        return True
    unspecified = expected_substance in UNSPECIFIED_SUBSTANCES or found_substance in UNSPECIFIED_SUBSTANCES
    return unspecified and found_class == expected_class


def expected_matches_sql(expected_substance: str, expected_class: str, found_substance: str, found_class: str) -> str:
    """The same rule as :func:`expected_matches` as a DuckDB boolean over four column expressions."""
    def lit(values) -> str:
        return "(" + sql_literals(sorted(values)) + ")"

    cats = " ".join(
        f"WHEN {lit([slug])} THEN " + (f"{found_class} IN {lit(found)}" if found else "false")
        for slug, found in EXPECTED_MATCHES.items()
    )
    return (
        f"(CASE {expected_class} {cats} ELSE "
        f"CASE WHEN {expected_substance} IS NULL THEN coalesce({found_class} = {expected_class}, false) "
        f"WHEN {found_substance} = {expected_substance} THEN true "
        f"ELSE ({expected_substance} IN {lit(UNSPECIFIED_SUBSTANCES)} "
        f"OR coalesce({found_substance} IN {lit(UNSPECIFIED_SUBSTANCES)}, false)) "
        f"AND {found_class} = {expected_class} END END)"
    )
