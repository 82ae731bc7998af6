"""The dashboard's ``<html lang>`` follows the reader's language, so screen readers read French with a French voice.

Streamlit serves one page shell with ``<html lang="en">`` for every path. Two parts fix that, both free of inline
script (the deployment's Content-Security-Policy allows scripts from this origin only):

- :class:`PageLanguage`, an ASGI middleware in ``app.py``, rewrites the shell as it is served: ``lang`` from the
  URL's ``lang`` parameter (the language switch keeps it there) and a ``<script src="/page-lang.js">``;
- that script (:data:`SCRIPT`, served by :func:`page_lang_js`) keeps ``lang`` in step when the reader switches
  language or page without a reload: Streamlit changes the URL with ``history.pushState``/``replaceState``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

LANGS = ("en", "fr")
SCRIPT_PATH = "/page-lang.js"
SCRIPT = """(function () {
  function sync() {
    var lang = new URLSearchParams(window.location.search).get("lang");
    document.documentElement.lang = lang === "fr" ? "fr" : "en";
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = window.history[name];
    window.history[name] = function () {
      var out = original.apply(this, arguments);
      sync();
      return out;
    };
  });
  window.addEventListener("popstate", sync);
  sync();
})();
"""
_HTML_TAG = re.compile(rb'<html lang="[A-Za-z-]*">')


def lang_of(query_string: bytes | str) -> str:
    """'fr' when the URL asks for French, else 'en' (anything else is ignored, never echoed)."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    asked = parse_qs(query_string).get("lang", [""])[-1]
    return asked if asked in LANGS else "en"


def rewrite(shell: bytes, lang: str) -> bytes:
    """The page shell with ``lang`` on its ``<html>`` tag and the sync script before ``</head>``."""
    lang = lang if lang in LANGS else "en"
    out = _HTML_TAG.sub(f'<html lang="{lang}">'.encode(), shell, count=1)
    return out.replace(b"</head>", f'<script src="{SCRIPT_PATH}"></script></head>'.encode(), 1)


async def page_lang_js(request):
    """Starlette endpoint for :data:`SCRIPT_PATH`."""
    from starlette.responses import Response

    return Response(SCRIPT, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


class PageLanguage:
    """ASGI middleware: HTML answers to GET requests get :func:`rewrite`; everything else passes untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope["path"].startswith(
                ("/_stcore", "/static", "/public", "/session", "/media", "/component", SCRIPT_PATH)):
            await self.app(scope, receive, send)
            return
        lang = lang_of(scope.get("query_string", b""))
        # The shell is a few kB: ask for it uncompressed so it can be rewritten.
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]}
        start: dict = {}
        body: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                headers = dict((k.lower(), v) for k, v in message.get("headers", []))
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
