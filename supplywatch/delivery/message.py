"""What a subscriber receives: the alert mail (plain text + simple HTML) and the confirmation request.

Built from what the other channels already say (the feed title with the severity as a
word, the alert page and poster links), in the subscriber's language. Every piece of
alert text is escaped in the HTML part; there are no images, pixels or rewritten
links. Each mail carries RFC 8058 one-click unsubscribe headers, and a Message-ID
made from the alert version and the subscriber's random id, so an update or a
retraction threads under the message it replaces (In-Reply-To / References).
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date

from .. import i18n, local_time
from ..channels.feeds import HEADINGS, alert_links, entry_title
from ..channels.help_block import html_list, text_lines
from ..channels.links import alert_static_url, check_base_url, file_url, plain, poster_path, text_for
from . import subscribers
from .subscribers import CONFIRM_VALID_FOR


def _msgid(alert_id: str, version: int | str, subscriber_id: str, domain: str) -> str:
    return f"<{alert_id}.v{version}.{subscriber_id}@{domain}>"


def unsubscribe_url(base_url: str, subscriber_id: str) -> str:
    return f"{check_base_url(base_url)}/subscribe?unsubscribe={subscribers.unsubscribe_token(subscriber_id)}"


def confirm_url(base_url: str, token: str) -> str:
    return f"{check_base_url(base_url)}/subscribe?confirm={token}"


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip(" >") or "supplywatch.invalid"


def _headers(msg: EmailMessage, sender: str, to: str, subject: str, now) -> None:
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = " ".join(subject.split())  # one line: alert text never adds a header
    msg["Date"] = rfc2822_date(now)
    msg["Auto-Submitted"] = "auto-generated"


def _html(title: str, paragraphs: list[str], links: list[tuple[str, str]], footer: list[tuple[str, str | None]],
          where: str = "") -> str:
    e = html.escape
    body = [f"<h1>{e(title)}</h1>"]
    body += [f"<p>{e(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p]
    if where:  # already escaped by help_block.html_list
        body.append(where)
    if links:
        body.append("<ul>" + "".join(f'<li><a href="{e(url, quote=True)}">{e(label)}</a></li>' for label, url in links)
                    + "</ul>")
    body.append("<hr><p><small>" + " ".join(
        f'<a href="{e(url, quote=True)}">{e(text)}</a>' if url else e(text) for text, url in footer) + "</small></p>")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>" + "\n".join(body)
            + "</body></html>\n")


def alert_mail(alert, sub, *, base_url: str, sender: str, now, help_entries=()) -> EmailMessage:
    """The mail telling ``sub`` (a :class:`subscribers.Subscriber`) about one alert version, with where to get help
    in its regions (``help_entries``: the staff's help directory)."""
    lang = sub.lang
    _ = i18n.translator(lang)
    text = text_for(alert, lang)
    todo_word, regions_word, _expires = HEADINGS[lang]
    title = " ".join(entry_title(alert, lang).split())
    if alert.msg_type == "Update":
        title = f"{_('Update')}: {title}"
    elif alert.msg_type == "Cancel":
        title = f"{_('Retracted')}: {title}"
    page = alert_static_url(base_url, alert, lang)  # a static page: opens at once when every reader clicks
    poster = file_url(base_url, poster_path(alert, lang))
    unsub = unsubscribe_url(base_url, sub.subscriber_id)
    lead = {"Update": _("This update replaces the earlier message about this alert."),
            "Cancel": _("This alert was retracted: disregard the earlier message about it.")}.get(alert.msg_type, "")
    paragraphs = [
        lead,
        plain(text.details),
        f"{todo_word}: {plain(text.what_to_do)}" if alert.msg_type != "Cancel" else "",
        f"{regions_word}: {', '.join(plain(r) for r in alert.regions)}",
        f"{_('Until')}: {local_time.format_local(alert.expires_at, lang)}" if alert.msg_type != "Cancel" else "",
    ]
    where = text_lines(alert, help_entries, lang)
    links = [(_("The full alert online"), page), (_("Poster to print (PDF)"), poster)]
    links += [(url, url) for url in alert_links(alert)]
    footer_text = _("You receive this because you subscribed to Supply Watch drug alerts. Unsubscribe in one click:")
    plain_body = "\n\n".join([title, *(p for p in paragraphs if p), *([where] if where else []),
                              "\n".join(f"{label}: {url}" if label != url else url for label, url in links),
                              f"-- \n{footer_text}\n{unsub}"]) + "\n"
    msg = EmailMessage()
    _headers(msg, sender, sub.address, title, now)
    domain = _domain(sender)
    msg["Message-ID"] = _msgid(alert.alert_id, alert.version, sub.subscriber_id, domain)
    if alert.references:
        ref_id, _sep, ref_version = alert.references.partition("@")
        earlier = _msgid(ref_id, ref_version, sub.subscriber_id, domain)
        msg["In-Reply-To"] = earlier
        msg["References"] = earlier
    msg["List-Unsubscribe"] = f"<{unsub}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(plain_body)
    msg.add_alternative(_html(title, paragraphs, links, [(footer_text, None), (_("Unsubscribe"), unsub)],
                              html_list(alert, help_entries, lang, "h2")), subtype="html")
    msg["Content-Language"] = lang  # after the parts exist: add_alternative moves Content-* headers into them
    return msg


def confirm_mail(sub, token: str, *, base_url: str, sender: str, now) -> EmailMessage:
    """The double opt-in request: nothing else is ever sent to an address before its link is followed."""
    _ = i18n.translator(sub.lang)
    title = _("Confirm your Supply Watch drug alert subscription")
    link = confirm_url(base_url, token)
    regions = ", ".join(sub.regions) if sub.regions else _("every region")
    paragraphs = [
        _("Someone, we hope you, asked to receive Supply Watch drug alerts at this address "
          "for: {regions}.").format(regions=regions),
        _("To confirm, open this link within {days} days:").format(days=CONFIRM_VALID_FOR.days) + "\n" + link,
        _("If it was not you, ignore this message: nothing more will be sent and the address will be deleted."),
    ]
    msg = EmailMessage()
    _headers(msg, sender, sub.address, title, now)
    msg.set_content("\n\n".join([title, *paragraphs]) + "\n")
    msg.add_alternative(_html(title, paragraphs, [(_("Confirm my subscription"), link)], []), subtype="html")
    msg["Content-Language"] = sub.lang
    return msg
