"""Links people give us (alert links, external alert links) checked by parsing, never by pattern-matching.

A link is accepted when it parses as one of:

- ``http://`` or ``https://`` with a host name that has a dot (or an IPv4 address, or ``localhost`` for a
  development server), an optional port, and no
  user name or password (``https://example.org@evil.example`` reads as example.org but goes to evil.example);
- ``mailto:`` one address ``local@host``;
- ``tel:`` a number: digits, an optional leading ``+``, and ``-``, ``.``, ``(``, ``)`` as separators.

and holds no character that could end a link in markdown or HTML or hide what it is: no white space, no control
or format character (bidi overrides, zero-width spaces), none of ``< > " ' ` [ ] { } | \\ ^``, and parentheses
only in balanced pairs (``https://en.wikipedia.org/wiki/Fentanyl_(disambiguation)`` is fine,
``https://example.org/)![t](https://evil.example/pixel.png`` is not). Host names are returned lower-case and
in their ASCII (punycode) form so a look-alike letter cannot pass for a Latin one. Pages render accepted links
with an element that takes a URL (``st.link_button``), never by building markdown around them.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("http", "https", "mailto", "tel")
MAX_LENGTH = 2000
# Characters that end or escape a link in markdown or HTML, or that browsers rewrite (\ -> /).
BREAKOUT = set("<>\"'`[]{}|\\^")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&*+/=?_~-]{1,64}")
_TEL = re.compile(r"\+?[0-9][0-9().-]{2,30}")
WRONG_SCHEME = "only http, https, mailto and tel links are allowed"


def _host(name: str) -> str | None:
    """``name`` as a lower-case ASCII host with a dot (punycode for other scripts), or None."""
    try:
        ascii_ = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    try:
        ipaddress.IPv4Address(ascii_)
        return ascii_
    except ValueError:
        pass
    if ascii_ == "localhost":  # a development server's own address (SUPPLYWATCH_BASE_URL=http://localhost:8501)
        return ascii_
    labels = ascii_.rstrip(".").split(".")
    if len(labels) < 2 or len(ascii_) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():  # '1.2.3.999' is neither an address nor a name
        return None
    return ascii_.rstrip(".")


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def link_problem(url: str | None) -> str | None:
    """Why ``url`` is not an acceptable public link (English, one line), or None when it is."""
    return _check(url)[1]


def public_link(url: str | None) -> str | None:
    """``url`` as we publish it (trimmed, scheme and host lower-case) when acceptable; otherwise None."""
    return _check(url)[0]


def _check(url: str | None) -> tuple[str | None, str | None]:
    text = (url or "").strip()
    if not text:
        return None, "empty"
    if len(text) > MAX_LENGTH:
        return None, f"longer than {MAX_LENGTH} characters"
    for ch in text:
        if ch.isspace() or unicodedata.category(ch)[0] in "CZ":
            return None, f"it contains a space or an invisible character (U+{ord(ch):04X})"
        if ch in BREAKOUT:
            return None, f"it contains {ch!r}"
    if not _balanced(text):
        return None, "its parentheses are not balanced"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return None, f"it does not parse ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return None, WRONG_SCHEME
    if scheme in ("http", "https"):
        if not parts.netloc:
            return None, f"a {scheme} link needs a host (https://example.org/...)"
        if "@" in parts.netloc:
            return None, "a user name or password before the host is not allowed"
        host = _host(parts.hostname or "")
        if host is None:
            return None, f"{parts.hostname or parts.netloc!r} is not a host name"
        netloc = host if port is None else f"{host}:{port}"
        return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment)), None
    if parts.netloc:
        return None, f"a {scheme} link has no '//'"
    if scheme == "mailto":
        local, at, domain = parts.path.partition("@")
        host = _host(domain) if at else None
        if not _LOCAL.fullmatch(local) or host is None:
            return None, "a mailto link needs one address (mailto:name@example.org)"
        query = f"?{parts.query}" if parts.query else ""
        return f"mailto:{local}@{host}{query}", None
    if not _TEL.fullmatch(parts.path) or parts.query or parts.fragment:
        return None, "a tel link needs a phone number (tel:+18005551234)"
    return f"tel:{parts.path}", None
