"""The page shell Streamlit serves, adapted for accessibility: ``<html lang>`` in the reader's language and our
own same-origin stylesheet and script (``supplywatch/shell/``).

Streamlit serves one shell with ``<html lang="en">`` for every path, so French was read with an English voice.
:class:`PageShell`, an ASGI middleware in ``app.py``, rewrites the shell as it is served: ``lang`` from the URL's
``lang`` parameter (the language switch keeps it there), a link to ``/shell/a11y.css`` (contrast, target size,
visible focus where Streamlit's styles fall short) and ``/shell/page.js`` (keeps ``lang`` in step on language and
page switches, which happen without a reload, and repairs the sidebar navigation's list markup). Nothing inline:
the deployment's Content-Security-Policy allows scripts from this origin only.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

LANGS = ("en", "fr")
FOLDER = Path(__file__).parent.parent / "shell"  # supplywatch/shell/
ASSETS = {"page.js": "text/javascript; charset=utf-8", "a11y.css": "text/css; charset=utf-8"}
PREFIX = "/shell/"
_HTML_TAG = re.compile(rb'<html lang="[A-Za-z-]*">')
# Streamlit's own paths and ours: never a page shell to rewrite.
_NOT_PAGES = ("/_stcore", "/static", "/public", "/session", "/media", "/component", PREFIX)


def lang_of(query_string: bytes | str) -> str:
    """'fr' when the URL asks for French, else 'en' (anything else is ignored, never echoed)."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    asked = parse_qs(query_string).get("lang", [""])[-1]
    return asked if asked in LANGS else "en"


def rewrite(shell: bytes, lang: str) -> bytes:
    """The page shell with ``lang`` on its ``<html>`` tag, and our stylesheet and script before ``</head>``."""
    lang = lang if lang in LANGS else "en"
    out = _HTML_TAG.sub(f'<html lang="{lang}">'.encode(), shell, count=1)
    tags = f'<link rel="stylesheet" href="{PREFIX}a11y.css"><script src="{PREFIX}page.js"></script></head>'
    return out.replace(b"</head>", tags.encode(), 1)


async def shell_asset(request):
    """Starlette endpoint for ``/shell/{name}``: one of :data:`ASSETS`, or a plain 404."""
    from starlette.responses import PlainTextResponse, Response

    name = request.path_params.get("name", "")
    if name not in ASSETS:
        return PlainTextResponse("Not found\n", status_code=404)
    return Response((FOLDER / name).read_bytes(), media_type=ASSETS[name],
                    headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


class PageShell:
    """ASGI middleware: HTML answers to GET requests for pages get :func:`rewrite`; everything else passes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope["path"].startswith(_NOT_PAGES):
            await self.app(scope, receive, send)
            return
        lang = lang_of(scope.get("query_string", b""))
        # The shell is a few kB: ask for it uncompressed so it can be rewritten.
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]}
        start: dict = {}
        body: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if not headers.get(b"content-type", b"").startswith(b"text/html") or b"content-encoding" in headers:
                    start["passthrough"] = True
                    await send(message)
                    return
                start["message"] = message
                return
            if start.get("passthrough"):
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = rewrite(b"".join(body), lang)
            headers = [(k, v) for k, v in start["message"].get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start["message"], "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, capture)
