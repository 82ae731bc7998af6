"""RFC 8058 one-click unsubscribe: ``POST /subscribe?unsubscribe=TOKEN`` with ``List-Unsubscribe=One-Click``.

Every alert mail says ``List-Unsubscribe: <BASE/subscribe?unsubscribe=TOKEN>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``; a mail client's "unsubscribe" button
then POSTs that body to that address and the person is gone, with no page to click through.
A GET of the same address still shows the page with its button (app_pages/subscribe.py):
link scanners and previews fetch links with GET, and must never unsubscribe anyone.

The answer is plain text, never a redirect (RFC 8058 section 3.2). A wrong body is refused
(400) so that an ordinary form post or a probe does nothing; a bad or spent token is 404.
"""

from __future__ import annotations

import datetime as dt

from . import keys, subscribers

ONE_CLICK = "One-Click"
MAX_BODY = 4096  # the body is one short field; anything bigger is not a mail client
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def outcome(token: str | None, field: str | None, now: dt.datetime) -> tuple[int, str]:
    """(HTTP status, one-line answer) for a one-click POST; unsubscribes only for the RFC 8058 body and a good token."""
    if field != ONE_CLICK:
        return 400, "not a one-click unsubscribe: the body must be List-Unsubscribe=One-Click"
    if not token:
        return 400, "no unsubscribe token in the address"
    try:
        keys.check()
    except keys.KeyMissing:
        return 503, "email alerts are not set up on this site"
    if not subscribers.unsubscribe(token, now):
        return 404, "this link is not valid, or the address was already removed"
    return 200, "you are unsubscribed and your address is deleted"


async def one_click_unsubscribe(request):
    """Starlette endpoint for ``POST /subscribe``: form-encoded or multipart body, answered in plain text."""
    from starlette.responses import PlainTextResponse

    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        return PlainTextResponse("request too large\n", status_code=413, headers=HEADERS)
    try:
        form = await request.form(max_files=0, max_fields=8, max_part_size=MAX_BODY)
        field = form.get("List-Unsubscribe")
    except Exception:  # malformed multipart, a file part ...: not a mail client's one-click POST
        field = None
    status, text = outcome(request.query_params.get("unsubscribe"), field if isinstance(field, str) else None,
                           dt.datetime.now(dt.timezone.utc))
    return PlainTextResponse(text + "\n", status_code=status, headers=HEADERS)
