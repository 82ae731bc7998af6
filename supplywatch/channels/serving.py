"""Serving the public folder (feeds, CAP XML, SMS texts, posters, static board pages) over HTTP.

``make run`` mounts :func:`public_file` at ``/public/`` beside the dashboard (``app.py``), so every link on the
board opens on the same origin with its real content type. A production site may instead serve the same folder
from any plain web server (docs/deploying.md gives the same types and headers). Only files the channels write
are served: known extensions, no dot-files (the temporary files of an atomic write), nothing outside the folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..db import public_dir

# One content type per kind of file the channels write; anything else is not served.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".xml": "application/cap+xml; charset=utf-8",  # only CAP 1.2 alerts are .xml here (RFC 7303 +xml)
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",  # JSON Feed 1.1 and index.json; readable in any browser
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
# Per-version files (cap/, sms/, posters/) never change once written; feeds, boards, alert pages and the index change on
# every publish, so a reader's cache keeps them a minute at most.
VERSIONED = ("cap/", "sms/", "posters/")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # The static pages have no scripts, and nothing here may run one.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
}


def resolve(folder: Path, relative: str) -> tuple[Path, str] | None:
    """(file, content type) for a request path inside ``folder``, or None when it must not be served."""
    parts = relative.split("/")
    if not relative or any(not p or p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    content_type = CONTENT_TYPES.get(os.path.splitext(parts[-1])[1].lower())
    if content_type is None:
        return None
    root = os.path.realpath(folder)
    path = os.path.realpath(os.path.join(root, *parts))
    if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
        return None
    return Path(path), content_type


def headers_for(relative: str) -> dict[str, str]:
    """Response headers of one public file (security headers and how long it may be cached)."""
    cache = "public, max-age=86400" if relative.startswith(VERSIONED) else "public, max-age=60"
    return {**HEADERS, "Cache-Control": cache}


async def public_file(request):
    """Starlette endpoint for ``/public/{path}``: the file with its content type, or a plain-text 404."""
    from starlette.responses import FileResponse, PlainTextResponse

    relative = request.path_params.get("path", "")
    found = resolve(public_dir(), relative)
    if found is None:
        return PlainTextResponse("Not found\n", status_code=404, headers=HEADERS)
    path, content_type = found
    return FileResponse(path, media_type=content_type, headers=headers_for(relative))
