"""One static page per alert and language (``alerts/<id>.html``, ``alerts/<id>-fr.html``): where every channel links.

When an alert goes out, thousands of people follow its link at once from an SMS, a poster's QR code, a feed, a
mail or a partner's system. A dashboard session takes over a second to start for each of them; a static file
opens at once from any web server or CDN. So the SMS, the poster, the feeds, CAP ``<web>``, mails and webhooks
all point here, and the page holds the same content as the alert's card on the board: severity as a word and a
symbol, headline, what to do, where to get help.

The page is per alert, not per version, and rewritten on every publish, update, retraction and expiry: an old
SMS or poster always opens the latest word. A retracted or ended alert keeps its page, which says so plainly
(with the time on the deployment's clock) instead of vanishing, since old messages and posters still point here.
A retracted alert's advice and details are not shown again. No script; every piece of alert text is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from .. import i18n, local_time
from ..utc import as_utc
from .board_html import STYLE, board_path, card, link_list, version_links
from .links import LANGS, alert_file, plain, text_for

# A plain box above the headline for a page that no longer describes a current alert (black on white, bold).
STATE_STYLE = ".state{border:3px solid #1a1a1a;padding:.5rem 1rem;font-weight:700}.state p{margin:.25rem 0}"


def latest_versions(versions: list) -> list:
    """The newest public version of each alert, by alert id."""
    newest: dict[str, object] = {}
    for alert in versions:
        if alert.alert_id not in newest or int(alert.version) > int(newest[alert.alert_id].version):
            newest[alert.alert_id] = alert
    return [newest[key] for key in sorted(newest)]


def state_of(alert, active: bool, now: datetime) -> tuple[str, datetime | None]:
    """('active', None), ('retracted', when) or ('ended', when; None when the end time is not yet passed)."""
    if active:
        return "active", None
    if alert.msg_type == "Cancel":
        return "retracted", alert.published_at or alert.created_at
    ended = alert.expires_at if alert.expires_at and as_utc(alert.expires_at) <= as_utc(now) else None
    return "ended", ended


def _state_box(alert, state: str, when: datetime | None, lang: str) -> str:
    """The plain notice on a retracted or ended alert's page ('' for an active one)."""
    _ = i18n.translator(lang)
    if state == "active":
        return ""
    at = local_time.format_local(when, lang) if when else ""
    if state == "retracted":
        word = _("RETRACTED")
        lines = [_("This alert was retracted on {when}. Do not rely on it.").format(when=at)]
        reason = plain(getattr(alert, "status_reason", None))
        if reason:
            lines.append(_("Why: {reason}").format(reason=reason))
    else:
        word = _("ENDED")
        lines = [_("This alert ended on {when}.").format(when=at) if at else _("This alert is no longer current.")]
        lines.append(_("Drugs like these may still be around: stay careful, and check the current alerts."))
    return ('<div class="state" role="note">' + f"<p>{escape(word)}</p>"
            + "".join(f"<p>{escape(line)}</p>" for line in lines) + "</div>")


def page_title(alert, state: str, lang: str) -> str:
    """'Warning: <headline>', 'Retracted: <headline>' or 'Ended: <headline>' (the tab and bookmark name)."""
    _ = i18n.translator(lang)
    word = {"active": {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}
            [alert.severity], "retracted": _("Retracted"), "ended": _("Ended")}[state]
    return f"{word}{' :' if lang == 'fr' else ':'} {plain(text_for(alert, lang).headline)}"


def alert_html(alert, lang: str, active: bool, now: datetime, help_entries=()) -> bytes:
    """The static page of ``alert`` (the newest public version of its id) in ``lang``.

    ``active``: it is on the board now. Otherwise the page says it was retracted (a Cancel version) or has ended.
    """
    _ = i18n.translator(lang)
    state, when = state_of(alert, active, now)
    other = [code for code in LANGS if code != lang]
    switch = " · ".join(
        f'<a href="{escape(alert_file(alert.alert_id, code).removeprefix("alerts/"), quote=True)}" lang="{code}" '
        f'hreflang="{code}">{escape(i18n.LANGUAGES[code])}</a>' for code in other
    )
    body = card(alert, lang, help_entries, level=1, advice=state != "retracted")
    links = [(escape("../" + board_path(None, lang), quote=True), _("All current alerts")),
             *version_links(alert, lang)]
    page = f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(page_title(alert, state, lang))} · Supply Watch</title>
<style>{STYLE}
{STATE_STYLE}</style>
</head>
<body>
<header>
<p>{switch}</p>
<p>{escape(_("Supply Watch drug alert"))} · {escape(alert.alert_id)}</p>
</header>
<main>
{_state_box(alert, state, when, lang)}
{chr(10).join(body)}
</main>
<footer>
<nav aria-label="{escape(_("More about this alert"), quote=True)}">{link_list(links)}</nav>
</footer>
</body>
</html>
"""
    return page.encode("utf-8")


def alert_files(alert, active: bool, now: datetime, help_entries=()) -> dict[str, bytes]:
    """{'alerts/<id>.html': bytes, 'alerts/<id>-fr.html': bytes} of one alert (its newest public version)."""
    return {alert_file(alert.alert_id, lang): alert_html(alert, lang, active, now, help_entries) for lang in LANGS}


def alert_pages(versions: list, active_keys: set[str], now: datetime, help_entries=()) -> dict[str, bytes]:
    """The pages of every alert with a public version (:func:`alert_files` of each one's newest)."""
    pages: dict[str, bytes] = {}
    for alert in latest_versions(versions):
        pages.update(alert_files(alert, alert.key in active_keys, now, help_entries))
    return pages
