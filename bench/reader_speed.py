"""How fast one reader gets a settled page: home, the alert board and Trends, with server and browser time apart.

One headless Debian chromium (playwright), one reader at a time, a synthetic warehouse built like the browser
tests'. Each visit is a fresh Streamlit session (a typed URL or a shared link), timed from navigation start with the
browser's own clock (performance.now), split where Streamlit's app root changes state:

- shell: the HTML page shell received (server, HTTP);
- boot: shell to the script starting (browser: JavaScript bundle, then the websocket and the session);
- script: from "running" to "notRunning": the server running the page (queries, figures, sending them) and the
  browser drawing each element as it arrives, loading the code for each new kind of element; the page's own
  Python is the smaller part (20-90 ms of CPU a run for these three pages, docs/benchmarks.md);
- draw: script done to the page settled, nothing stale or pending (browser: React and plotly drawing).

"settled" = the tests' idle condition (tests/browser/ui.py) first true; its 400 ms confirmation window is not
counted. The first visit of each page after the server starts is reported apart (cold caches); the rest are the
median of --repeat visits.

Two baselines are measured in the same run, with the same server flags and browser, so every page reads as a
ratio against what Streamlit itself costs here (bench/floor/): an empty Streamlit page (title and one line) and a
page with one small plotly chart. A page cannot settle faster than its floor whatever the page does: home and
board stand on the empty page, every chart page on the one-chart page.

Two more rows time what an alert's link opens since the static pages: the static board and one alert's static
page, published into the app's public folder and served by the same server at /public/ (as `make run` does), from
navigation start to the browser's load event (no script runs on them; shell is the server's part).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from . import report

NAME = "reader"
SUMMARY = ("one chromium reader: home, alert board, Trends to a settled page, server time apart from browser time;"
           " the static board and alert page")
TITLE = "Reader speed (one reader, settled page)"
PAGES = {"home": "/", "board": "/alerts", "trends": "/trends", "concentration": "/concentration",
         "expected vs found": "/expected", "emerging": "/emerging", "samples": "/samples", "overdoses": "/overdoses"}
# The baselines (bench/floor/), and which one each page stands on: pages that draw a plotly chart, the chart floor.
FLOORS = {"floor: empty Streamlit page": "bench/floor/empty_page.py",
          "floor: one plotly chart": "bench/floor/one_chart.py"}
CHART_PAGES = ("trends", "concentration", "expected vs found", "overdoses")
# Installed before any page script: records when the app root first says "running" and then "notRunning".
_PROBE = """(() => {
  window.__swT = {};
  const watch = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return;
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running' && !window.__swT.running) window.__swT.running = performance.now();
    if (state === 'notRunning' && window.__swT.running && !window.__swT.done) window.__swT.done = performance.now();
  };
  new MutationObserver(watch).observe(document, {subtree: true, attributes: true, childList: true,
                                                 attributeFilter: ['data-test-script-state']});
})();"""
_TIMES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {shell: nav.responseEnd, running: window.__swT.running || null, done: window.__swT.done || null,
          settled: window.__swIdleSince || null};
}"""


def visit(context, url: str, ui) -> dict:
    """One fresh session on ``url``: seconds for shell, boot, script and draw, and their total."""
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_selector('[data-testid="stApp"]', timeout=ui.TIMEOUT_MS)
        ui.wait_idle(page)
        t = page.evaluate(_TIMES)
    finally:
        page.close()
    running = t["running"] or t["shell"]
    done = t["done"] or running
    return {"shell": t["shell"] / 1000, "boot": (running - t["shell"]) / 1000, "script": (done - running) / 1000,
            "draw": (t["settled"] - done) / 1000, "total": t["settled"] / 1000}


def visit_static(context, url: str) -> dict:
    """One visit of a static page: seconds to the response (shell) and to the load event (total)."""
    page = context.new_page()
    try:
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status if response else 'no response'}")
        t = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                          " return {shell: n.responseEnd, load: n.loadEventEnd}; }")
    finally:
        page.close()
    return {"shell": t["shell"] / 1000, "boot": None, "script": None, "draw": None, "total": t["load"] / 1000}


def publish_sample(public: Path, app_url: str) -> dict[str, str]:
    """One active warning published into ``public`` as the alert store would; {row name: path under the app}."""
    import datetime as dt

    from supplywatch import channels
    from tests.channels.conftest import make_alert

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    alert = make_alert(alert_id="SW-2026-0900", published_at=now - dt.timedelta(hours=1),
                       expires_at=now + dt.timedelta(days=7))
    channels.publish_all([alert], [alert], public, app_url, now)
    return {"static board": "/public/board/alerts.html", "static alert page": "/public/alerts/SW-2026-0900.html"}


def timed(context, url: str, repeat: int, ui, name: str) -> dict:
    """The first visit of ``url``, then the median of ``repeat`` more, each part apart, and the slowest."""
    first = visit(context, url, ui)
    runs = [visit(context, url, ui) for _ in range(repeat)]
    out = {"first": first, "median": {k: statistics.median(r[k] for r in runs) for k in first},
           "max": max(r["total"] for r in runs)}
    print(f"{name}: first {first['total']:.2f} s, median {out['median']['total']:.2f} s", flush=True)
    return out


def measure_floors(browser, repeat: int, folder: Path) -> dict[str, dict]:
    """The baselines of :data:`FLOORS`, each served by its own bare Streamlit server started as the app is."""
    from tests.browser import stack, ui

    out = {}
    for name, script in FLOORS.items():
        bare = stack.Stack(folder=folder, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        stack.start(bare, script=script)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            context.add_init_script(_PROBE)
            context.set_default_timeout(ui.TIMEOUT_MS)
            out[name] = timed(context, bare.url + "/", repeat, ui, name)
        finally:
            context.close()
            stack.stop(bare)
    return out


def measure(app_url: str, repeat: int, public: Path | None = None, floors_in: Path | None = None) -> dict[str, dict]:
    """{page: {"first": visit, "median": {part: median seconds}}} with one chromium, one reader at a time; with
    ``public`` (the app's public folder) also the static board and alert page; with ``floors_in`` (a working
    folder) first the baselines."""
    sys.path.insert(0, str(report.ROOT))
    from tests.browser import stack, ui

    out = {}
    with stack.chromium() as browser:
        if floors_in is not None:
            out.update(measure_floors(browser, repeat, floors_in))
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(_PROBE)
        context.set_default_timeout(ui.TIMEOUT_MS)
        for name, path in PAGES.items():
            out[name] = timed(context, app_url + path, repeat, ui, name)
        for name, path in (publish_sample(public, app_url) if public else {}).items():
            first = visit_static(context, app_url + path)
            runs = [visit_static(context, app_url + path) for _ in range(repeat)]
            out[name] = {"first": first, "median": {k: statistics.median(r[k] for r in runs) if first[k] is not None
                                                    else None for k in first},
                         "max": max(r["total"] for r in runs)}
            print(f"{name}: first {first['total']:.2f} s, median {out[name]['median']['total']:.2f} s", flush=True)
        context.close()
    return out


def floor_of(name: str, results: dict) -> float | None:
    """The median settled time of the baseline ``name`` stands on, when it was measured (None for static pages)."""
    if name in FLOORS or name not in PAGES:
        return None
    floor = results.get("floor: one plotly chart" if name in CHART_PAGES else "floor: empty Streamlit page")
    return floor["median"]["total"] if floor else None


def table(results: dict) -> str:
    rows = ["| page | first visit | settled (median) | x its floor | max | shell (server) | boot (browser) | "
            "script (server run, browser) | draw (browser) |", "|---|---|---|---|---|---|---|---|---|"]
    def sec(value):
        return "-" if value is None else f"{value:.2f} s"

    for name, r in results.items():
        m = r["median"]
        floor = floor_of(name, results)
        ratio = f"{m['total'] / floor:.2f}" if floor else "-"
        rows.append(f"| {name} | {sec(r['first']['total'])} | {sec(m['total'])} | {ratio} | {sec(r['max'])} | "
                    f"{sec(m['shell'])} | {sec(m['boot'])} | {sec(m['script'])} | {sec(m['draw'])} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench reader", description=__doc__)
    ap.add_argument("--samples", type=int, default=20_000, help="samples in the synthetic warehouse")
    ap.add_argument("--repeat", type=int, default=5, help="visits per page after the first (median reported)")
    ap.add_argument("--folder", type=Path, help="working folder (default: a temporary one)")
    ap.add_argument("--note", default="", help="what else the machine was doing, for the record")
    ap.add_argument("--no-record", action="store_true", help="print only; leave docs/benchmarks.md alone")
    ap.add_argument("--port", type=int, default=0, help="the app server's port (default: a free one; never 8501)")
    ap.add_argument("--no-floors", action="store_true",
                    help="skip the two baselines (an empty Streamlit page, one plotly chart) measured first")
    args = ap.parse_args(argv)
    if args.port == 8501:
        ap.error("--port 8501 is the dashboard's own port: choose another")
    sys.path.insert(0, str(report.ROOT))
    from tests.browser import stack

    folder = args.folder or Path(tempfile.mkdtemp(prefix="sw-reader-"))
    app = stack.build(folder, samples=args.samples)
    stack.start(app, port=args.port)
    try:
        load_before = os.getloadavg()[0]
        results = measure(app.url, args.repeat, app.public, None if args.no_floors else folder)
        load_after = os.getloadavg()[0]
    finally:
        stack.stop(app)
        stack.stop_playwright()
    body = (
        f"`python -m bench reader --samples {args.samples} --repeat {args.repeat}` ({report.today()}). "
        "One headless Debian chromium, one reader, each visit a fresh Streamlit session (a typed URL or shared "
        "link), 1280x900. The floors are two bare Streamlit pages served and timed the same way in the same run "
        "(bench/floor/): what any page, and any page with a plotly chart, costs here; \"x its floor\" is a page's "
        "settled time over the floor it stands on. Times from navigation start to a settled page; the parts are where Streamlit's app root "
        "changes state (see bench/reader_speed.py): shell is server time, boot and draw browser time; script is "
        "the server's run of the page with the browser drawing what arrives. The static rows are the board and one "
        "alert's page as plain HTML from /public/ on the same server, timed to the load event.\n\n"
        + table(results) + "\n\n"
        f"1-minute load average {load_before:.1f} before and {load_after:.1f} after"
        f"{' (' + args.note + ')' if args.note else ''}. Machine: {report.machine()}.\n"
    )
    print(body)
    if not args.no_record:
        report.update_section(TITLE, body)
    return 0
