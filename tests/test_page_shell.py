"""The page shell's lang attribute and script tag, and the middleware that writes them."""

import asyncio

import pytest

from supplywatch import page_language

SHELL = b'<!doctype html>\n<html lang="en">\n<head><title>Streamlit</title></head><body></body></html>'


@pytest.mark.parametrize(("query", "lang"), [
    (b"lang=fr", "fr"), (b"", "en"), (b"lang=en", "en"), (b"lang=de", "en"),
    (b'lang="><script>', "en"), (b"x=1&lang=fr", "fr"), ("lang=fr", "fr"),
])
def test_only_a_known_language_is_taken_from_the_url(query, lang):
    assert page_language.lang_of(query) == lang


def test_the_shell_gets_lang_and_the_script_from_this_origin():
    assert page_language.rewrite(SHELL, "fr") == (
        b'<!doctype html>\n<html lang="fr">\n<head><title>Streamlit</title>'
        b'<script src="/page-lang.js"></script></head><body></body></html>')


def run(middleware_app, path, query=b"", headers=()):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query,
             "headers": [(b"accept-encoding", b"gzip"), *headers]}
    asyncio.run(middleware_app(scope, receive, send))
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
    start, body = run(page_language.PageLanguage(app), "/trends", b"lang=fr")
    assert b'<html lang="fr">' in body["body"] and b'src="/page-lang.js"' in body["body"]
    assert dict(start["headers"])[b"content-length"] == str(len(body["body"])).encode()
    assert (b"accept-encoding", b"gzip") not in seen["headers"]


@pytest.mark.parametrize(("path", "content_type"), [
    ("/_stcore/health", b"text/html"), ("/public/board/alerts.html", b"text/html"), ("/trends", b"application/json"),
])
def test_middleware_leaves_other_answers_alone(path, content_type):
    app, _ = shell_app(content_type)
    messages = run(page_language.PageLanguage(app), path, b"lang=fr")
    assert b"".join(m.get("body", b"") for m in messages[1:]) == SHELL
