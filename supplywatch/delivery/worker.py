"""The delivery worker behind ``python -m supplywatch deliver``: drain the queue in batches.

Each round claims a batch of due rows (committed as ``sending``), builds the mails, hands
them to the SMTP server one by one, journalling each hand-over (:mod:`.journal`), then
commits the outcomes in one transaction. The app file is open only to claim and to
settle, never while the SMTP server is talking (DuckDB lets one process at a time open
it for writing): a slow mail server never keeps staff from publishing.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from typing import Callable

from .. import db, help_directory
from ..alerts import settings as alert_settings
from ..alerts import store
from . import journal, keys, message, queue, subscribers, webhooks
from .smtp import Sender, SendFailed, SmtpSettings

BATCH = 200
POLL_SECONDS = 5.0
NO_MAIL = ("SUPPLYWATCH_SMTP_HOST is not set: delivering webhooks only; alert mail and confirmation requests"
           " wait in the queue until a mail server is configured")


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def _clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _alert(cache: dict, alert_id: str, version: int):
    """The alert version a row is about, read once per round (store.versions opens its own connection)."""
    if alert_id not in cache:
        cache[alert_id] = {a.version: a for a in store.versions(alert_id)}
    return cache[alert_id].get(version)


def _help(cache: dict) -> list:
    """The help directory, read once per drain (the same entries the public files show)."""
    if "help directory" not in cache:
        cache["help directory"] = help_directory.current()
    return cache["help directory"]


def _prepare(con, items: list[queue.Delivery], sender: Sender, now: dt.datetime, report: Report,
             cache: dict) -> list[tuple[queue.Delivery, object]]:
    """Each due row with its mail (or webhook request); rows whose subscriber, webhook or alert is gone become dead
    letters."""
    base = alert_settings.base_url()
    out = []
    for item in items:
        alert = _alert(cache, item.alert_id, item.version) if item.kind != "confirm" else None
        if item.kind == "webhook":
            hook = webhooks.load(con, item.subscriber_id)
            if hook is None or alert is None:
                queue.drop(con, item, "the webhook was removed or disabled" if hook is None
                           else f"alert {item.alert_id}@{item.version} not found")
                report.dead += 1
            else:
                out.append((item, webhooks.request(hook, alert, item.delivery_id, base, now, _help(cache))))
            continue
        sub = subscribers.load(con, item.subscriber_id)
        if sub is None or (item.kind == "alert" and alert is None):
            queue.drop(con, item, "the subscriber unsubscribed before it was sent" if sub is None
                       else f"alert {item.alert_id}@{item.version} not found")
            report.dead += 1
        elif item.kind == "confirm":
            out.append((item, message.confirm_mail(sub, keys.decrypt(item.token_enc), base_url=base,
                                                   sender=sender.settings.sender, now=now)))
        else:
            out.append((item, message.alert_mail(alert, sub, base_url=base, sender=sender.settings.sender, now=now,
                                                 help_entries=_help(cache))))
    return out


def _round(sender: Sender | None, now: dt.datetime, report: Report, cache: dict) -> bool:
    """Claim a batch, send it, settle it; False when there is nothing more to do in this drain.

    The app file is open only to claim and to settle, never while the SMTP server is talking.
    With no mail server (``sender`` None) only webhooks are taken; mail stays queued, untried.
    """
    with db.app_connection() as con:
        items = queue.due(con, now, BATCH, kinds=None if sender else ("webhook",))
        if not items:
            return False
        work = _prepare(con, items, sender, now, report, cache)
        taken = {d.delivery_id for d in queue.claim(con, [d for d, _ in work], now)}
    sent, failed, untried = [], [], []
    unreachable = False
    log = journal.Journal()
    try:
        for item, mail in ((d, m) for d, m in work if d.delivery_id in taken):
            if unreachable:
                untried.append(item)  # the server is down: the rest waits for the next round
                continue
            log.write("try", item.delivery_id)
            try:
                if item.kind == "webhook":
                    webhooks.post(mail)
                else:
                    sender.send(mail)
            except SendFailed as exc:
                log.write("fail", item.delivery_id)
                failed.append((item, exc))
                unreachable = item.kind != "webhook" and not exc.permanent and "unreachable" in str(exc)
                continue
            log.write("sent", item.delivery_id)
            sent.append(item)
    finally:
        log.close()
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        queue.mark_sent(con, sent, now)
        for item, exc in failed:
            status = queue.mark_failed(con, item, now, str(exc), exc.permanent)
            report.dead += status == "dead"
            report.retried += status == "queued"
            report.errors.append(str(exc))
        queue.release(con, untried)
        con.execute("COMMIT")
    journal.clear()
    report.sent += len(sent)
    return not unreachable


def recover() -> dict[str, int]:
    """Settle what a killed worker left in 'sending', from its journal (call holding the worker lock)."""
    tried, sent = journal.read()
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        outcome = queue.recover(con, tried, sent)
        con.execute("COMMIT")
    journal.clear()
    return outcome


def mail_sender() -> Sender | None:
    """The SMTP sender from the environment, or None when no mail server is named at all (a webhook-only
    deployment). Settings that name a server but are incomplete or contradictory are still an error."""
    if not (os.environ.get("SUPPLYWATCH_SMTP_HOST") or "").strip():
        return None
    return Sender(SmtpSettings.from_env())


def drain(now: Callable[[], dt.datetime] = _clock, sender: Sender | None = None) -> Report:
    """Send everything due now and return what happened; stop early when the SMTP server is unreachable
    (the rest waits for its backoff). Refuses to run beside another worker on the same app file.
    Without SUPPLYWATCH_SMTP_HOST it delivers webhooks only; mail waits in the queue until a server is set."""
    keys.check()
    sender = sender or mail_sender()
    report = Report()
    cache: dict = {}
    with journal.worker_lock():
        recover()
        subscribers.prune(now())
        try:
            while _round(sender, now(), report, cache):
                pass
        finally:
            if sender is not None:
                sender.close()
    return report


def run_forever(poll: float = POLL_SECONDS, log: Callable[[str], None] = print) -> None:
    """Drain, sleep ``poll`` seconds, repeat (the systemd unit's loop)."""
    if mail_sender() is None:
        log(NO_MAIL)
    while True:
        report = drain()
        if report.sent or report.retried or report.dead:
            log(f"sent {report.sent}, retry later {report.retried}, dead {report.dead}"
                + (f"; last error: {report.errors[-1]}" if report.errors else ""))
        time.sleep(poll)
