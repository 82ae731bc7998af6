"""Reader-facing names of substances, classes and detection methods on the dashboard's pages."""

from __future__ import annotations

from typing import Callable

from ..dictionary import substance_label


def target_label(target: str, _: Callable[[str], str], lang: str = "en") -> str:
    """Reader-facing name of a substance or class slug; any other substance (an expected substance such as 'heroin')
    by its name in the substance dictionary for ``lang`` ('héroïne'), else as written."""
    labels = {
        "fentanyl": _("Fentanyl & analogues"),
        "carfentanil": _("Carfentanil"),
        "nitazene": _("Nitazenes"),
        "benzodiazepine": _("Benzodiazepine-related drugs"),
        "xylazine": _("Xylazine"),
        "medetomidine": _("Medetomidine"),
        "alpha2_sedative": _("Veterinary sedatives (xylazine, medetomidine)"),
        "opioid_other": _("Other opioids"),
        "opioid_unspecified": _("Opioid (unspecified)"),
        "stimulant": _("Stimulants"),
        "dissociative": _("Dissociatives"),
        "psychedelic": _("Psychedelics"),
        "synthetic_cannabinoid": _("Synthetic cannabinoids"),
        "cut": _("Cuts and buffers"),
        "precursor": _("Precursors and by-products"),
        "other": _("Other"),
        "unclassified": _("Unknown name"),
        "unknown": _("Sold as unknown"),
    }
    if target in labels:
        return labels[target]
    return substance_label(target, lang) or target



def method_names(methods, lang: str) -> str:
    """Reader-facing names of detection methods, from supplywatch.classes when it has them."""
    try:
        from ..classes import method_label
    except ImportError:
        return ", ".join(sorted(methods))
    return ", ".join(sorted(method_label(m, lang) for m in methods))
