"""The delivery worker behind ``python -m supplywatch deliver``: drain the queue, one message at a time.

For each due row: claim it (commit ``sending``), build the mail, hand it to the SMTP
server, commit ``sent``. The app file is held for at most :data:`HOLD_SECONDS` at a
time and then let go, so the dashboard and the staff CLI get in between (DuckDB lets
one process write a file at a time). See :mod:`supplywatch.delivery.queue` for why a
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

HOLD_SECONDS = 1.0
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


def _one(con, sender: Sender, item: queue.Delivery, now: dt.datetime, report: Report, cache: dict) -> None:
    sub = subscribers.load(con, item.subscriber_id)
    if sub is None:
        queue.drop(con, item, "the subscriber unsubscribed before it was sent")
        report.dead += 1
        return
    base = alert_settings.base_url()
    if item.kind == "confirm":
        mail = message.confirm_mail(sub, keys.decrypt(item.token_enc), base_url=base,
                                    sender=sender.settings.sender, now=now)
    else:
        alert = _alert(cache, item.alert_id, item.version)
        if alert is None:
            queue.drop(con, item, f"alert {item.alert_id}@{item.version} not found")
            report.dead += 1
            return
        mail = message.alert_mail(alert, sub, base_url=base, sender=sender.settings.sender, now=now)
    if not queue.claim(con, item, now):
        return  # another worker took it
    try:
        sender.send(mail)
    except SendFailed as exc:
        status = queue.mark_failed(con, item, now, str(exc), exc.permanent)
        report.dead += status == "dead"
        report.retried += status == "queued"
        report.errors.append(str(exc))
        return
    queue.mark_sent(con, item, now)
    report.sent += 1


def drain(now: Callable[[], dt.datetime] = _clock, sender: Sender | None = None) -> Report:
    """Send everything due now and return what happened; stop early when the SMTP server is unreachable."""
    keys.check()
    sender = sender or Sender(SmtpSettings.from_env())
    report = Report()
    cache: dict = {}
    subscribers.prune(now())
    try:
        while True:
            progressed = False
            with db.app_connection() as con:
                queue.reclaim_stale(con, now())
                started = time.monotonic()
                for item in queue.due(con, now(), BATCH):
                    before = report.retried
                    _one(con, sender, item, now(), report, cache)
                    progressed = True
                    if report.retried > before and "unreachable" in report.errors[-1]:
                        return report  # the server is down: the rest waits for its backoff
                    if time.monotonic() - started > HOLD_SECONDS:
                        break  # let other processes at the app file
            if not progressed:
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
