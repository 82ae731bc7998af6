"""HTML taken out of typed or pasted text by a maintained sanitiser (nh3, Rust ammonia), leaving plain text.

nh3 with no allowed tags decides what is markup the way a browser's HTML parser does, so evasions such as
``<svg/onload=...>``, tags split by tabs or new lines, unquoted attributes, comments and CDATA sections are
removed as a browser would have read them. But a browser also reads ``x<y and y>z`` as an element ``<y>`` and
``(<a quarter point) and wait; doses >0.1 mg`` as an ``<a>`` element, and alert text says such things. So each
``<`` is judged first: it starts markup when

- it is followed by ``!``, ``?`` or ``/`` and a letter (comments, declarations, end tags), or
- it opens a name and, before the next ``>``, there is an ``=`` (an attribute with a value: every event handler
  and every ``javascript:`` URL needs one), or
- it opens a known HTML, SVG or MathML element name followed by ``>``, ``/`` or the end of the text, or by
  well-formed attributes, or the element is one that loads or runs something (script, style, iframe, svg ...).

Any other ``<`` is kept as a character. After nh3, entities are decoded back to characters, and the whole is
repeated until nothing changes, so ``<<img src=x onerror=alert(1)>img src=x onerror=alert(2)>`` (a second tag
that appears once the first is removed) and ``&lt;script&gt;`` (a tag written as entities) are removed too.
"""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

from .weblinks import public_link

ELEMENTS = frozenset((
    # HTML, including obsolete elements browsers still parse
    "a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink blockquote "
    "body br button canvas caption center cite code col colgroup command content data datalist dd del details dfn "
    "dialog dir div dl dt element em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 "
    "h5 h6 head header hgroup hr html i iframe image img input ins isindex kbd keygen label layer legend li link "
    "listing main map mark marquee math menu menuitem meta meter multicol nav nextid nobr noembed noframes "
    "noscript object ol optgroup option output p param picture plaintext portal pre progress q rb rp rt rtc ruby "
    "s samp script search section select shadow slot small source spacer span strike strong style sub summary "
    "sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xml xmp "
    # SVG
    "animate animatemotion animatetransform circle clippath defs desc discard ellipse feblend filter "
    "foreignobject g line lineargradient marker mask metadata mpath path pattern polygon polyline "
    "radialgradient rect set stop switch symbol text textpath tspan use view "
    # MathML
    "annotation annotation-xml maction maligngroup malignmark menclose merror mfenced mfrac mglyph mi mlabeledtr "
    "mmultiscripts mn mo mover mpadded mphantom mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd "
    "mtext mtr munder munderover semantics"
).split())
# Elements that load or run something even without an attribute value: markup whatever follows the name.
ACTIVE = frozenset((
    "applet audio base body button details dialog embed form frame frameset html iframe image img input isindex "
    "keygen link marquee math meta noembed noframes noscript object plaintext portal script select style svg "
    "template textarea title video xml xmp"
).split())
# Elements whose content goes with them (nh3 keeps the text of any other removed element).
CONTENT_GOES = {"script", "style", "iframe", "noembed", "noframes", "noscript", "object", "plaintext", "template",
                "textarea", "title", "xmp"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9:_-]*")
_ATTRIBUTES = re.compile(r"""(?:\s+[A-Za-z_:@][-A-Za-z0-9_:.@]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>""")
MAX_ROUNDS = 10


def _starts_markup(text: str, i: int) -> bool:
    """Whether the '<' at ``text[i]`` opens markup (see the module docstring)."""
    nxt = text[i + 1:i + 2]
    if nxt in ("!", "?"):
        return True
    if nxt == "/":
        return bool(_NAME.match(text, i + 2))
    name = _NAME.match(text, i + 1)
    if not name:
        return False
    close = text.find(">", i)
    if "=" in text[i:close + 1 if close >= 0 else len(text)]:
        return True
    element = name.group().lower()
    if element not in ELEMENTS:
        return False
    return (text[name.end():name.end() + 1] in ("", "/", ">") or element in ACTIVE
            or bool(_ATTRIBUTES.match(text, name.end())))


def _one_round(text: str) -> str:
    kept = "".join("&lt;" if ch == "<" and not _starts_markup(text, i) else ch for i, ch in enumerate(text))
    return html.unescape(nh3.clean(kept, tags=set(), clean_content_tags=CONTENT_GOES, strip_comments=True))


def strip_markup(text: str) -> str:
    """``text`` with every HTML tag, comment and declaration removed and entities decoded (plain text)."""
    if "<" not in text and "&" not in text:
        return text
    for _ in range(MAX_ROUNDS):
        cleaned = _one_round(text)
        if cleaned == text:
            return cleaned
        text = cleaned
    # Still changing after MAX_ROUNDS: nested far beyond any real paste. Keep no '<' at all rather than guess.
    return text.replace("<", "")


# ---------------------------------------------------------------- typed text, made plain

_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^<>\s]*)>")
_BAD_SCHEME = re.compile(r"\b(?:java|vb)script\s*:|\bdata\s*:\s*[a-z]+/[a-z0-9.+-]+[;,]", re.I)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def _markdown_link(match: re.Match) -> str:
    label, url = match.group(1).strip(), match.group(2)
    good = public_link(url)
    if good:
        return f"{label} ({good})" if label and label != good else good
    return label


def _autolink(match: re.Match) -> str:
    return public_link(match.group(1)) or ""


def clean_text(value: str | None, one_line: bool = False) -> str:
    """Plain text from whatever was typed or pasted: no HTML, no unsafe links, no control characters.

    HTML goes through nh3 (supplywatch.plain_text); a second pass changes nothing (the result is stable).
    """
    text = str(value or "")
    for _ in range(3):
        cleaned = _clean_once(text, one_line)
        if cleaned == text:
            break
        text = cleaned
    return text


def _clean_once(value: str, one_line: bool) -> str:
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = _AUTOLINK.sub(_autolink, text)
    text = strip_markup(text)
    text = _MD_LINK.sub(_markdown_link, text)
    text = _BAD_SCHEME.sub("", text)
    text = _CONTROL.sub("", text)  # entities such as &#8203; decode to invisible characters
    if one_line:
        text = " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
