"""Reader-facing names of substances, classes and detection methods on the dashboard's pages.

One source for each: a class by :mod:`supplywatch.classes` (its one English and one French name), a substance by
the substance dictionary, a method by the vocabulary's method labels. Nothing here is in a .po catalogue.
"""

from __future__ import annotations

from typing import Callable

from .. import classes
from ..dictionary import substance_label
from ..display_names import sentence_case
from ..metrics import HEADLINE_TARGETS
from . import language


def target_label(target: str, _: Callable[[str], str] | None = None, lang: str | None = None) -> str:
    """Reader-facing name of a substance or class slug in ``lang`` (default: the reader's language): a class by
    its name in supplywatch.classes ('Cuts and buffers' / 'Agents de coupe'); a headline substance as a heading
    ('Carfentanil', 'Médétomidine'); any other substance (an expected substance such as 'heroin') by its name in
    the substance dictionary ('héroïne'), else as written. ``_`` is the page's translator, accepted from callers
    and not needed: no name here is a .po entry."""
    lang = lang or language.current()
    if target in classes.CLASSES:
        return classes.label(target, lang)
    name = substance_label(target, lang) or target
    return sentence_case(name) if target in HEADLINE_TARGETS else name


def method_names(methods, lang: str) -> str:
    """Reader-facing names of detection methods, from supplywatch.classes."""
    return ", ".join(sorted(classes.method_label(m, lang) for m in methods))
