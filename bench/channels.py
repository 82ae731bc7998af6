"""Time to render each alert channel and to run publish_all over N public alert versions, cold and warm."""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

from supplywatch import channels
from supplywatch.alerts.model import Alert, AlertText
from supplywatch.channels import cap, feeds, poster, sms

from . import report

NAME = "channels"
SUMMARY = "render CAP/feeds/SMS/poster and publish_all over N alert versions (default 50), cold then warm"
TITLE = "Alert channels"
BASE_URL = "https://alerts.example.org"
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)


def make(i: int) -> Alert:
    text = AlertText(
        headline=f"Carfentanil found in down sold as fentanyl (site {i})",
        details="Two samples checked this week held carfentanil, about 100 times stronger than fentanyl. " * 3,
        what_to_do="Don't use alone. Carry naloxone. Start low, go slow. Call 911 in an overdose.",
    )
    fr = AlertText(
        headline=f"Carfentanil trouvé dans du down vendu comme fentanyl (site {i})",
        details="Deux échantillons analysés cette semaine contenaient du carfentanil. " * 3,
        what_to_do="Ne consommez pas seul·e. Ayez de la naloxone. Appelez le 911 en cas de surdose.",
    )
    return Alert(
        alert_id=f"SW-2026-{i:04d}", version=1, status="published", msg_type="Alert",
        severity=("information", "caution", "warning")[i % 3], text={"en": text, "fr": fr},
        substances=("carfentanil",), regions=(f"Region {i % 5}",), evidence=(), created_at=NOW,
        published_at=NOW - dt.timedelta(minutes=i), expires_at=NOW + dt.timedelta(days=14), author="a",
        approver="b",
    )


def per_call(fn, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench channels", description=__doc__)
    p.add_argument("--alerts", type=int, default=50, help="public alert versions (default 50)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = p.parse_args(argv)
    alerts = [make(i) for i in range(args.alerts)]
    one = alerts[0]
    url = f"{BASE_URL}/alerts?alert={one.alert_id}"
    doc = cap.cap_xml(one, base_url=BASE_URL)
    cap.validation_errors(doc)  # load the schema once
    timings = {
        "CAP XML": per_call(lambda: cap.cap_xml(one, base_url=BASE_URL), 50),
        "CAP schema check": per_call(lambda: cap.validation_errors(doc), 50),
        "SMS": per_call(lambda: sms.sms_text(one, "fr", url), 200),
        "poster PDF": per_call(lambda: poster.poster_pdf(one, "fr", url), 5),
        f"Atom feed of {args.alerts}": per_call(
            lambda: feeds.atom_feed(alerts, lang="en", feed_url=url, base_url=BASE_URL, now=NOW), 5),
        f"JSON feed of {args.alerts}": per_call(
            lambda: feeds.json_feed(alerts, lang="en", feed_url=url, base_url=BASE_URL, now=NOW), 5),
    }
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        cold = channels.publish_all(alerts, alerts, Path(tmp), BASE_URL, NOW)
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        warm = channels.publish_all(alerts[1:], alerts, Path(tmp), BASE_URL, NOW + dt.timedelta(hours=1))
        warm_s = time.perf_counter() - started
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [f"{name}: {sec * 1000:.1f} ms" for name, sec in timings.items()]
    lines.append(f"publish_all cold ({len(cold['written'])} files, {size / 1e6:.1f} MB): {cold_s:.1f} s")
    lines.append(f"publish_all warm, one alert gone ({len(warm['written'])} files rewritten): {warm_s:.2f} s")
    lines.append(f"peak RSS of the process: {peak:.0f} MB")
    print("\n".join(lines))
    if not args.no_docs:
        body = (
            f"`python -m bench channels --alerts N` (bench/channels.py): one call of each renderer, then "
            f"`publish_all` over N published versions into an empty folder (cold: every CAP, SMS and poster "
            f"rendered) and again an hour later with one alert gone (warm: a version's own files exist and are "
            f"kept; feeds and index rebuilt). Machine: {report.machine()}. Run {report.today()}.\n\n"
            + "\n".join(f"- {line}" for line in lines)
            + "\n\nThe poster dominates (DejaVu TTF parsing and subsetting by fpdf2, about two thirds of its time); "
            "that is why publish_all never re-renders a version's files once written."
        )
        report.update_section(TITLE, body)
    return 0
