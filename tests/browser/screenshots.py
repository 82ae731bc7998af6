"""`python -m tests.browser.screenshots [FILE ...]`: the README's screenshots (docs/screenshots/*.png) from the running demo app.

Builds the same fixture app as the browser tests, publishes one alert through the real store (poster drafts,
reviewer approves), loads the demo help directory, and saves small viewport-sized PNGs: the alert board (desktop and
phone), Get help, the home page in French on a phone, the supply pages. With file names (``overdoses.png``), only
those are re-made.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from . import stack, ui

OUT = stack.ROOT / "docs" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
CHART = '[data-testid="stPlotlyChart"]'
SHOTS = [
    # file, path, viewport, the element scrolled to the top first (None: the top of the page)
    ("alerts.png", "/alerts", DESKTOP, None),
    ("phone-alerts.png", "/alerts", PHONE, None),
    ("get-help.png", "/get-help", DESKTOP, None),
    ("phone-fr.png", "/?lang=fr", PHONE, None),
    ("overview.png", "/", DESKTOP, None),
    ("trends.png", "/trends", DESKTOP, None),
    ("phone.png", "/", PHONE, None),
    ("overdoses.png", "/overdoses", DESKTOP, CHART),
    ("phone-overdoses.png", "/overdoses", PHONE, CHART),
    ("phone-trends.png", "/trends?substance=carfentanil&interval=month&population=opioid", PHONE, CHART),
    ("phone-expected.png", "/expected", PHONE, CHART),
    ("phone-concentration.png", "/concentration", PHONE, '[data-testid="stHeading"]:has-text("Distribution")'),
    # the published alert's static page ({alert}: its id), plain HTML from /public/: no Streamlit session
    ("phone-alert-page.png", "/public/alerts/{alert}.html", PHONE, None),
    ("phone-alert-page-fr.png", "/public/alerts/{alert}-fr.html", PHONE, None),
]


def publish_demo_alert(app: stack.Stack) -> str:
    """One published alert on the board, made the way staff make it (two people); returns its id."""
    os.environ.update(app.env)
    from supplywatch.alerts import store

    now = dt.datetime.now(dt.timezone.utc)
    text = {
        "en": {"headline": "Carfentanil found in down sold as heroin in Capital.",
               "details": "Two samples checked at the Capital site this week had carfentanil (FTIR and strip).",
               "what_to_do": "Don't use alone. Carry naloxone. Start low and go slow. Use drug checking."},
        "fr": {"headline": "Carfentanil trouvé dans du down vendu comme héroïne à Capital.",
               "details": "Deux échantillons analysés au site Capital cette semaine contenaient du carfentanil.",
               "what_to_do": "Ne consommez pas seul. Ayez de la naloxone. Commencez doucement. Faites analyser."},
    }
    alert = store.create_draft(actor=stack.POSTER[0], now=now, text=text, severity="warning",
                               regions=["Capital"], substances=["carfentanil"], evidence=["demo samples"])
    store.submit_for_review(alert.alert_id, stack.POSTER[0], now)
    store.approve(alert.alert_id, stack.REVIEWER[0], now)
    return alert.alert_id


def main(argv: list[str]) -> int:
    unknown = set(argv) - {shot[0] for shot in SHOTS}
    if unknown:
        print(f"no such screenshot: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="sw-screenshots-"))
    app = stack.build(folder)
    alert_id = publish_demo_alert(app)
    # the demo help directory (invented services, 555 numbers), as `make run` loads it
    stack._run(["-m", "supplywatch", "help-directory", "load", "data/help_directory.csv"], app.env)
    stack.start(app)
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with stack.chromium() as browser:  # the process's one playwright driver
            warm = browser.new_page()
            ui.open_page(warm, app.url + "/")
            warm.close()
            for name, path, viewport, target in SHOTS:
                if argv and name not in argv:
                    continue
                context = browser.new_context(viewport=viewport, device_scale_factor=1)
                page = context.new_page()
                path = path.format(alert=alert_id)
                if path.startswith("/public/"):  # a static page: loaded when the browser says so
                    response = page.goto(app.url + path, wait_until="load")
                    if response is None or response.status != 200:
                        print(f"{path}: HTTP {response.status if response else 'no response'}", file=sys.stderr)
                        return 1
                else:
                    ui.open_page(page, app.url + path)
                    problems = ui.problems(page)
                    if problems:
                        print(f"{path}: {problems}", file=sys.stderr)
                        return 1
                if target:
                    page.locator(target).first.evaluate("e => e.scrollIntoView({block: 'start'})")
                    page.wait_for_timeout(300)
                page.screenshot(path=str(OUT / name))
                print(f"wrote {OUT / name} ({(OUT / name).stat().st_size // 1024} KiB)")
                context.close()
    finally:
        stack.stop(app)
        stack.stop_playwright()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
