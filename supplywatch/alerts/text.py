"""Alert text made safe, the severity ladder, and the harm-reduction "what to do" templates.

Alert text is plain text everywhere: HTML is removed on the way in by nh3, markdown
links to anything but http/https/mailto/tel lose their target, and pages escape
markdown on the way out, so ``<script>``, ``<img onerror>`` or ``[x](javascript:...)``
never run or link. Guidance templates are TOML (EN/FR), replaceable per deployment.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..messages import UserError
from ..plain_text import clean_text  # noqa: F401  (alert text is cleaned like all typed text)
from ..weblinks import SCHEMES, public_link
from .model import SEVERITIES

ALLOWED_SCHEMES = SCHEMES
LIMITS = {"headline": 160, "details": 2000, "what_to_do": 1500}
DEFAULT_GUIDANCE = Path(__file__).with_name("guidance.toml")
DEPLOYMENT_GUIDANCE = Path(__file__).resolve().parents[2] / "data" / "guidance.toml"

_AUTOLINK_LITERAL = re.compile(r"(?i)\b(?:https?(?=://)|www(?=\.))|(?<=\w)@(?=\w)")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~:$])")


class TextError(UserError):
    """Alert text that cannot be accepted; the message names the field and language."""


def allowed_link(url: str | None) -> str | None:
    """``url`` as published when it parses as a safe http, https, mailto or tel link (see supplywatch.weblinks)."""
    return public_link(url)


def check_field(name: str, lang: str, value: str | None, required: bool = True) -> str:
    """A cleaned alert field, or TextError naming it ('headline (fr): ...')."""
    text = clean_text(value, one_line=(name == "headline"))
    if required and not text:
        raise TextError("{name} ({lang}): required", name=name, lang=lang)
    if len(text) > LIMITS[name]:
        raise TextError("{name} ({lang}): {n} characters, at most {limit}", name=name, lang=lang, n=len(text),
                        limit=LIMITS[name])
    return text


def split_items(value: str | None, sep: str = ",") -> list[str]:
    """Non-empty trimmed items of a comma- (or line-) separated form field."""
    return [item.strip() for item in (value or "").split(sep) if item.strip()]


def escape_markdown(text: str) -> str:
    """``text`` escaped so Streamlit markdown shows it literally (no links, no formatting, no HTML).

    Streamlit's markdown also turns bare ``https://...``, ``www.`` and ``name@host`` in text into links after
    escapes are resolved, so a word joiner (U+2060, invisible) goes after ``http``/``https``/``www`` and ``@``
    there: a link reaches readers only through the links field, parsed, as a link button.
    """
    text = _AUTOLINK_LITERAL.sub("\\g<0>\u2060", text or "")
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    # Two trailing spaces keep single line breaks as breaks.
    return escaped.replace("\n", "  \n")


# ---------------------------------------------------------------- severity ladder

@dataclass(frozen=True)
class Evidence:
    """Facts about a situation that decide its severity (all counts within the windows named)."""

    high_risk_unexpected: int = 0  # samples (last 14 days) with a high-risk substance the person did not expect
    high_risk_first_detection: bool = False  # first detection of a high-risk substance in the region (lookback)
    overdose_spike: bool = False  # EARS flag on drug poisoning counts in the region
    linked_poisonings: int = 0  # drug poisonings linked to samples with this substance (last 7 days)
    unexpected_actives: int = 0  # samples (last 14 days) with any unexpected active substance
    positivity_rise: bool = False  # significant rise of positivity (signals module)
    concentration_spike: bool = False  # fentanyl median above its trailing baseline (signals module)


# Written rules, most severe first; docs/alerts.md repeats them. Each: (severity, test, reason).
LADDER: list[tuple[str, str, str]] = [
    ("warning", "overdose_spike", "a drug poisoning spike (EARS flag) in the region"),
    ("warning", "linked_poisonings>=2", "2 or more drug poisonings linked to samples with it in 7 days"),
    ("warning", "high_risk_unexpected>=1", "a high-risk substance found in a sample sold as something else"),
    ("caution", "high_risk_first_detection", "first detection of a high-risk substance in the region"),
    ("caution", "unexpected_actives>=3", "an unexpected active substance in 3 or more samples in 14 days"),
    ("caution", "positivity_rise", "a significant rise in positivity"),
    ("caution", "concentration_spike", "fentanyl concentration above its recent baseline"),
    ("caution", "linked_poisonings>=1", "a drug poisoning linked to a sample with it"),
]


def suggest_severity(evidence: Evidence) -> tuple[str, list[str]]:
    """The ladder's severity for ``evidence`` and every rule that matched (information when none)."""
    matched: list[tuple[str, str]] = []
    for severity, test, reason in LADDER:
        name, _, threshold = test.partition(">=")
        value = getattr(evidence, name)
        if (int(value) >= int(threshold)) if threshold else bool(value):
            matched.append((severity, reason))
    if not matched:
        return "information", []
    top = max(matched, key=lambda m: SEVERITIES.index(m[0]))[0]
    return top, [reason for _, reason in matched]


# ---------------------------------------------------------------- guidance templates

@dataclass(frozen=True)
class Template:
    """One named block of harm-reduction advice for some substance classes."""

    name: str
    classes: tuple[str, ...]
    lines: dict[str, tuple[str, ...]]  # lang -> lines


def guidance_path() -> Path:
    """``SUPPLYWATCH_GUIDANCE``, else the deployment's data/guidance.toml, else the shipped default."""
    env = os.environ.get("SUPPLYWATCH_GUIDANCE")
    if env:
        return Path(env)
    return DEPLOYMENT_GUIDANCE if DEPLOYMENT_GUIDANCE.is_file() else DEFAULT_GUIDANCE


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> tuple[Template, ...]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TextError(f"{path}: {exc}") from None
    out = []
    for name, block in data.items():
        if not isinstance(block, dict):
            raise TextError(f"{path}: [{name}] must be a table with classes, en and fr")
        lines = {}
        for lang in ("en", "fr"):
            value = block.get(lang)
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise TextError(f"{path}: [{name}] needs a non-empty list of text lines for {lang!r}")
            lines[lang] = tuple(clean_text(v, one_line=True) for v in value)
        if len(lines["en"]) != len(lines["fr"]):
            raise TextError(f"{path}: [{name}] has {len(lines['en'])} English lines but {len(lines['fr'])} French")
        out.append(Template(name, tuple(block.get("classes") or ()), lines))
    return tuple(out)


def load_guidance(path: Path | None = None) -> tuple[Template, ...]:
    """Every template in the guidance file (re-read when the file changes)."""
    path = Path(path) if path else guidance_path()
    if not path.is_file():
        raise TextError(f"{path}: guidance file not found")
    return _load(str(path), path.stat().st_mtime)


def what_to_do(classes: list[str] | tuple[str, ...], lang: str, path: Path | None = None) -> str:
    """Advice for an alert about ``classes``: the class-specific templates first, then the general ones."""
    templates = load_guidance(path)
    specific = [t for t in templates if t.classes and set(t.classes) & set(classes)]
    general = [t for t in templates if not t.classes]
    lines: list[str] = []
    for template in [*specific, *general]:
        for line in template.lines[lang if lang in template.lines else "en"]:
            if line not in lines:
                lines.append(line)
    return "\n".join(f"- {line}" for line in lines)
