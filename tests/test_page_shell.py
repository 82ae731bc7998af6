"""The page shell's lang attribute, stylesheet and script tags, the middleware that writes them and the route that
serves them."""

import asyncio
import concurrent.futures

import pytest

from supplywatch.web import page_shell

SHELL = b'<!doctype html>\n<html lang="en">\n<head><title>Streamlit</title></head><body></body></html>'


@pytest.mark.parametrize(("query", "lang"), [
    (b"lang=fr", "fr"), (b"", "en"), (b"lang=en", "en"), (b"lang=de", "en"),
    (b'lang="><script>', "en"), (b"x=1&lang=fr", "fr"), ("lang=fr", "fr"),
])
def test_only_a_known_language_is_taken_from_the_url(query, lang):
    assert page_shell.lang_of(query) == lang


def test_the_shell_gets_lang_and_the_script_from_this_origin():
    assert page_shell.rewrite(SHELL, "fr") == (
        b'<!doctype html>\n<html lang="fr">\n<head><title>Streamlit</title>'
        b'<link rel="stylesheet" href="/shell/a11y.css"><script src="/shell/page.js"></script></head>'
        b'<body></body></html>')


def in_own_loop(coro):
    """Run ``coro`` to the end on a fresh event loop in its own thread: in the whole suite the shared Playwright
    driver keeps a loop running in this thread, and asyncio.run refuses to start a second one there."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def run(middleware_app, path, query=b"", headers=()):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query,
             "headers": [(b"accept-encoding", b"gzip"), *headers]}
    in_own_loop(middleware_app(scope, receive, send))
    return sent


def shell_app(content_type=b"text/html"):
    seen = {}

    async def app(scope, receive, send):
        seen["headers"] = scope["headers"]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(SHELL)).encode())]})
        await send({"type": "http.response.body", "body": SHELL[:20], "more_body": True})
        await send({"type": "http.response.body", "body": SHELL[20:]})
    return app, seen


def test_middleware_rewrites_html_with_its_new_length():
    app, seen = shell_app()
    start, body = run(page_shell.PageShell(app), "/trends", b"lang=fr")
    assert b'<html lang="fr">' in body["body"] and b'src="/shell/page.js"' in body["body"]
    assert dict(start["headers"])[b"content-length"] == str(len(body["body"])).encode()
    assert (b"accept-encoding", b"gzip") not in seen["headers"]


@pytest.mark.parametrize(("path", "content_type"), [
    ("/_stcore/health", b"text/html"), ("/public/board/alerts.html", b"text/html"), ("/trends", b"application/json"),
])
def test_middleware_leaves_other_answers_alone(path, content_type):
    app, _ = shell_app(content_type)
    messages = run(page_shell.PageShell(app), path, b"lang=fr")
    assert b"".join(m.get("body", b"") for m in messages[1:]) == SHELL


def asset(name):
    from starlette.requests import Request

    scope = {"type": "http", "method": "GET", "path": "/shell/" + name, "path_params": {"name": name},
             "headers": [], "query_string": b""}
    return in_own_loop(page_shell.shell_asset(Request(scope)))


def test_only_the_shell_assets_are_served():
    js = asset("page.js")
    assert (js.status_code, js.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert b"documentElement.lang" in js.body
    assert asset("a11y.css").headers["content-type"] == "text/css; charset=utf-8"
    for name in ("../page_shell.py", "__init__.py", "a11y.css.bak", "..%2fpage_shell.py"):
        assert asset(name).status_code == 404, name
