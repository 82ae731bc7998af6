"""The delivery worker behind ``python -m supplywatch deliver``: drain the queue, one message at a time.

For each due row: claim it (commit ``sending``), build the mail, hand it to the SMTP
server, commit ``sent``. The app file is opened only around the claim and around the
settling, never while the SMTP server is talking (DuckDB lets one process at a time
open a file read-write): a slow mail server never keeps staff from publishing. See :mod:`supplywatch.delivery.queue` for why a
message interrupted mid-send is never sent twice.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Callable

from .. import db
from ..alerts import settings as alert_settings
from ..alerts import store
from . import keys, message, queue, subscribers
from .smtp import Sender, SendFailed, SmtpSettings

BATCH = 50
POLL_SECONDS = 5.0


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


def _one(sender: Sender, item: queue.Delivery, now: dt.datetime, report: Report, cache: dict) -> bool:
    """Claim, send and settle one row; False when the mail server is unreachable (end the round).

    The app file is open only around the claim and around the settling, never while the SMTP
    server is talking: a slow server must not keep the dashboard from publishing.
    """
    alert = _alert(cache, item.alert_id, item.version) if item.kind == "alert" else None
    with db.app_connection() as con:
        sub = subscribers.load(con, item.subscriber_id)
        if sub is None or (item.kind == "alert" and alert is None):
            queue.drop(con, item, "the subscriber unsubscribed before it was sent" if sub is None
                       else f"alert {item.alert_id}@{item.version} not found")
            report.dead += 1
            return True
        base = alert_settings.base_url()
        if item.kind == "confirm":
            mail = message.confirm_mail(sub, keys.decrypt(item.token_enc), base_url=base,
                                        sender=sender.settings.sender, now=now)
        else:
            mail = message.alert_mail(alert, sub, base_url=base, sender=sender.settings.sender, now=now)
        if not queue.claim(con, item, now):
            return True  # another worker took it
    try:
        sender.send(mail)
    except SendFailed as exc:
        with db.app_connection() as con:
            status = queue.mark_failed(con, item, now, str(exc), exc.permanent)
        report.dead += status == "dead"
        report.retried += status == "queued"
        report.errors.append(str(exc))
        return not (status == "queued" and "unreachable" in str(exc))
    with db.app_connection() as con:
        queue.mark_sent(con, item, now)
    report.sent += 1
    return True


def drain(now: Callable[[], dt.datetime] = _clock, sender: Sender | None = None) -> Report:
    """Send everything due now and return what happened; stop early when the SMTP server is unreachable
    (the rest waits for its backoff)."""
    keys.check()
    sender = sender or Sender(SmtpSettings.from_env())
    report = Report()
    cache: dict = {}
    subscribers.prune(now())
    try:
        with db.app_connection() as con:
            queue.reclaim_stale(con, now())
        while True:
            with db.app_connection() as con:
                items = queue.due(con, now(), BATCH)
            if not items:
                return report
            for item in items:
                if not _one(sender, item, now(), report, cache):
                    return report
    finally:
        sender.close()


def run_forever(poll: float = POLL_SECONDS, log: Callable[[str], None] = print) -> None:
    """Drain, sleep ``poll`` seconds, repeat (the systemd unit's loop)."""
    while True:
        report = drain()
        if report.sent or report.retried or report.dead:
            log(f"sent {report.sent}, retry later {report.retried}, dead {report.dead}"
                + (f"; last error: {report.errors[-1]}" if report.errors else ""))
        time.sleep(poll)
