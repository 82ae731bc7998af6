"""The public alert board as plain static HTML, one page per region and language, written beside the feeds.

When an alert goes out, thousands of readers may open it at once; these pages need no dashboard session and can
be served by any web server or CDN. Each page: ``lang`` set, severity as a word and a symbol (never colour alone),
headline, what to do, details, and links to the poster, CAP, SMS text and feeds. Every piece of alert text is
HTML-escaped; the pages hold no script (the server also forbids them, see serving.py). Links to the other public
files are relative, so the folder works wherever it is served.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from .. import i18n, local_time
from ..alert_states import severity_rank
from .help_block import html_list
from .links import (
    LANGS, alert_file, alert_page_url, cap_path, feed_path, plain, poster_path, region_slug, sms_path, text_for,
)

# The same symbols as the dashboard's board; each is in DejaVu Sans and most system fonts.
SYMBOL = {"information": "ℹ", "caution": "⚠", "warning": "⊘"}
STYLE = """
body{font-family:system-ui,"DejaVu Sans",sans-serif;max-width:46rem;margin:0 auto;padding:1rem;line-height:1.5;
color:#1a1a1a;background:#fff}
a{color:#0b57a4}a:focus{outline:3px solid #1a1a1a;outline-offset:2px}
article{border:2px solid #1a1a1a;border-radius:.5rem;padding:.25rem 1rem;margin:1rem 0}
.severity{font-weight:700;letter-spacing:.04em}.meta{color:#4a4a4a}
nav ul,.files{padding-left:1.2rem}
""".strip()


def board_path(region: str | None, lang: str) -> str:
    """'board/alerts.html', 'board/alerts-fr.html', 'board/ile-de-montreal-fr.html' (named like the feeds)."""
    stem = region_slug(region) if region else "alerts"
    return f"board/{stem}{'' if lang == 'en' else '-' + lang}.html"


def _rel(path: str) -> str:
    """A link from a board page (in board/) to another public file."""
    return escape("../" + path, quote=True)


def _here(path: str) -> str:
    """A link from a board page to another board page (same folder)."""
    return escape(path.removeprefix("board/"), quote=True)


def severity_line(alert, lang: str) -> str:
    """'⊘ WARNING', '⚠ CAUTION · UPDATED': the severity as a symbol and a word, never colour alone."""
    _ = i18n.translator(lang)
    severity = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}[alert.severity]
    head = f"{SYMBOL[alert.severity]} {severity.upper()}"
    if alert.msg_type == "Update":
        head += " · " + _("Updated").upper()
    return head


def card(alert, lang: str, help_entries=(), level: int = 2, advice: bool = True) -> list[str]:
    """The alert as the board shows it: severity, headline (an ``h{level}``), regions and times, what to do, where
    to get help, details, substances. Every piece of alert text is escaped. ``advice=False`` keeps only the
    headline and where to get help (a retracted alert's severity and advice must not be acted on)."""
    _ = i18n.translator(lang)
    t = text_for(alert, lang)
    sub = f"h{level + 1}"
    meta = _("{regions} · published {published} · until {expires}").format(
        regions=", ".join(plain(r) for r in alert.regions),
        published=local_time.format_local(alert.published_at, lang),
        expires=local_time.format_local(alert.expires_at, lang),
    )
    heading = f'<h{level} id="{escape(alert.alert_id, quote=True)}">{escape(plain(t.headline))}</h{level}>'
    if not advice:
        return [p for p in (heading, html_list(alert, help_entries, lang, sub)) if p]
    parts = [f'<p class="severity">{escape(severity_line(alert, lang))}</p>', heading]
    parts.append(f'<p class="meta">{escape(meta)}</p>')
    todo = [line.strip().removeprefix("- ").strip() for line in plain(t.what_to_do).splitlines() if line.strip()]
    if todo:
        parts.append(f"<{sub}>{escape(_('What to do'))}</{sub}>")
        parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in todo) + "</ul>")
    parts.append(html_list(alert, help_entries, lang, sub))
    if plain(t.details):
        parts.append(f"<{sub}>{escape(_('Details'))}</{sub}>")
        parts.extend(f"<p>{escape(para)}</p>" for para in plain(t.details).split("\n\n"))
    if alert.substances:
        names = ", ".join(plain(s) for s in alert.substances)  # a version stored raw: its markup is not shown
        parts.append(f"<p>{escape(_('Substances: {names}').format(names=names))}</p>")
    return [p for p in parts if p]


def version_links(alert, lang: str) -> list[tuple[str, str]]:
    """(relative href from a sibling folder, label) of the version's poster, CAP file and SMS text."""
    _ = i18n.translator(lang)
    return [(_rel(poster_path(alert, lang)), _("Printable poster (PDF)")), (_rel(cap_path(alert)), _("CAP 1.2 XML")),
            (_rel(sms_path(alert, lang)), _("SMS text"))]


def link_list(links: list[tuple[str, str]], css: str = "files") -> str:
    """'<ul class="files"><li><a href=...>label</a></li>...</ul>' (hrefs already escaped, labels escaped here)."""
    return f'<ul class="{css}">' + "".join(f'<li><a href="{href}">{escape(label)}</a></li>'
                                           for href, label in links) + "</ul>"


def _alert(alert, lang: str, base_url: str, help_entries=()) -> str:
    _ = i18n.translator(lang)
    files = [
        (_rel(alert_file(alert.alert_id, lang)), _("This alert on its own page (to share)")),
        *version_links(alert, lang),
        (escape(alert_page_url(base_url, alert) + f"&lang={lang}", quote=True), _("Full alert on the dashboard")),
    ]
    return "\n".join([f'<article aria-labelledby="{escape(alert.alert_id, quote=True)}">',
                      *card(alert, lang, help_entries), link_list(files), "</article>"])


def board_html(active: list, lang: str, region: str | None, regions: list[str], base_url: str,
               now: datetime, help_entries=()) -> bytes:
    """One static board page: the active alerts of ``region`` (all when None), most severe and newest first."""
    _ = i18n.translator(lang)
    shown = sorted((a for a in active if region is None or region in a.regions),
                   key=lambda a: (-severity_rank(a.severity), -(a.published_at or a.created_at).timestamp(),
                                  a.alert_id))
    title = _("Drug alerts") + (f" · {plain(region)}" if region else "")
    other = [l for l in LANGS if l != lang]
    switch = " · ".join(
        f'<a href="{_here(board_path(region, other))}" lang="{other}" hreflang="{other}">'
        f'{escape(i18n.LANGUAGES[other])}</a>'
        for other in LANGS if other != lang
    )
    current = ' aria-current="page"'
    nav = "".join(
        f'<li><a href="{_here(board_path(r, lang))}"{current if r == region else ""}>{escape(label)}</a></li>'
        for r, label in [(None, _("All regions")), *((r, plain(r)) for r in regions)]
    )
    feeds = " · ".join(
        f'<a href="{_rel(feed_path(region, lang, ext))}">{escape(label)}</a>'
        for ext, label in (("atom", _("Atom feed")), ("json", _("JSON feed")))
    )
    body = "\n".join(_alert(a, lang, base_url, help_entries) for a in shown) or \
        f"<p>{escape(_('No active alerts for this area right now.'))}</p>"
    page = f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Supply Watch</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<p>{switch}</p>
<h1>{escape(title)}</h1>
<p>{escape(_("Alerts from local drug checking and harm reduction staff. No sign-in needed."))}</p>
<p class="meta">{escape(_("Updated"))} {escape(local_time.format_local(now, lang))}</p>
</header>
<main>
{body}
</main>
<footer>
<p>{escape(_("Follow these alerts:"))} {feeds}</p>
<nav aria-label="{escape(_("Region"), quote=True)}"><ul>{nav}</ul></nav>
</footer>
</body>
</html>
"""
    return page.encode("utf-8")
