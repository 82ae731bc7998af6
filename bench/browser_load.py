"""Many browser sessions on the running app while a large `python -m etl load` runs; then the same with the load killed.

Run 1 (load): N concurrent chromium sessions cycle through the pages with changing filters (URL query strings)
while a large samples file loads; reports p50/p95 page time, errors users saw (must be 0) and the server's peak RSS.
Every overview seen must show either the numbers before the load or the numbers after it, nothing in between.
Run 2 (fault): the load is killed with SIGKILL part-way; every session must keep showing the old numbers, and the
warehouse version must not change.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report

NAME = "browser"
SUMMARY = "10-20 concurrent chromium sessions during a large ETL load, and with the load killed (p50/p95, errors, RSS)"
TITLE = "Browser load test"
PATHS = ["/", "/trends", "/concentration", "/expected", "/emerging", "/samples", "/overdoses", "/alerts", "/data"]
REGIONS = [None, "Capital", "Interior", "Metro", "North Coast", "Valley"]


def _stack():
    sys.path.insert(0, str(report.ROOT))
    from tests.browser import stack, ui

    return stack, ui


def peak_rss_mb(pid: int) -> float:
    """The process's own high-water resident memory (VmHWM)."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Run:
    """What the sessions saw during one run."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.errors: list[str] = []  # what a reader saw: error box, exception, dialog
        self.timeouts: list[str] = []  # pages still running after the time limit (capacity, not a wrong page)
        self.overviews: dict[str | None, set] = {}
        self.stop = False


async def session(browser, base: str, ui, run: Run, seed: int) -> None:
    """One reader: open pages with random filters until told to stop; record time, errors and overview numbers."""
    rnd = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("dialog", lambda d: run.errors.append(f"dialog: {d.message}"))
    try:
        while not run.stop:
            path, region = rnd.choice(PATHS), rnd.choice(REGIONS)
            url = base + path + (f"?region={region.replace(' ', '+')}" if region else "")
            started = time.perf_counter()
            try:
                await page.goto(url, timeout=120_000)
                await page.wait_for_function(ui._IDLE_JS, timeout=120_000, polling=100)
            except Exception as exc:  # a page still running after the limit: counted apart from errors shown
                run.timeouts.append(f"{url}: {str(exc).splitlines()[0]}")
                continue
            run.times.append(time.perf_counter() - started)
            found = await page.evaluate(PROBLEMS_JS, ui.EXCEPTION_TEXT.pattern)
            run.errors += [f"{url}: {p}" for p in found]
            if path == "/":
                values = await page.evaluate(METRICS_JS)
                run.overviews.setdefault(region, set()).add(tuple(sorted(values.items())))
    finally:
        await context.close()


PROBLEMS_JS = """(pattern) => {
  const out = [];
  for (const sel of ['[data-testid="stException"]', '[data-testid="stAlertContentError"]', '[role="dialog"]'])
    document.querySelectorAll(sel).forEach(e => out.push(sel + ': ' + e.innerText.slice(0, 200)));
  const main = document.querySelector('[data-testid="stMain"]');
  const m = main && main.innerText.match(new RegExp(pattern));
  if (m) out.push('exception text: ' + m[0]);
  return out;
}"""
METRICS_JS = """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
  m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
  m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))"""


async def overview_numbers(browser, base: str, ui) -> dict:
    """Overview metrics per region as a fresh reader sees them now."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    out = {}
    for region in REGIONS:
        await page.goto(base + "/" + (f"?region={region.replace(' ', '+')}" if region else ""), timeout=120_000)
        await page.wait_for_function(ui._IDLE_JS, timeout=120_000, polling=100)
        out[region] = tuple(sorted((await page.evaluate(METRICS_JS)).items()))
    await context.close()
    return out


async def one_run(app, stack, ui, sessions: int, big: Path, kill_after: float | None, settle: float) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=stack.CHROMIUM, args=stack.CHROMIUM_ARGS)
        before = await overview_numbers(browser, app.url, ui)
        version_before = app.warehouse.stat().st_mtime_ns
        run = Run()
        tasks = [asyncio.create_task(session(browser, app.url, ui, run, seed)) for seed in range(sessions)]
        await asyncio.sleep(settle)  # every session has opened its first page
        load = subprocess.Popen(
            [sys.executable, "-m", "etl", "load", str(big), "--db", str(app.warehouse), "--quiet", "--wait"],
            cwd=report.ROOT, env=app.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        started = time.perf_counter()
        killed = False
        while load.poll() is None:
            await asyncio.sleep(0.5)
            if kill_after is not None and time.perf_counter() - started >= kill_after:
                os.kill(load.pid, signal.SIGKILL)
                killed = True
        load_seconds = time.perf_counter() - started
        load_out = load.stdout.read()
        await asyncio.sleep(settle)  # keep reading after the load ended or died
        run.stop = True
        await asyncio.gather(*tasks)
        after = await overview_numbers(browser, app.url, ui)
        await browser.close()
    unexpected = {}
    for region, seen in run.overviews.items():
        allowed = {before[region]} | ({after[region]} if not killed else set())
        if seen - allowed:
            unexpected[region] = sorted(seen - allowed)
    return {
        "times": run.times, "errors": run.errors, "timeouts": run.timeouts, "load_seconds": load_seconds,
        "load_rc": load.returncode,
        "load_out": load_out.strip().splitlines()[-1:] if load_out.strip() else [], "killed": killed,
        "changed": before != after, "version_changed": app.warehouse.stat().st_mtime_ns != version_before,
        "unexpected": unexpected, "overviews_seen": sum(len(v) for v in run.overviews.values()),
        "pages": len(run.times), "after_equals_before": before == after,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def describe(name: str, r: dict, sessions: int) -> str:
    t = r["times"]
    return (f"| {name} | {sessions} | {r['pages']} | {statistics.median(t) if t else float('nan'):.1f} s | "
            f"{pct(t, 0.95):.1f} s | {max(t) if t else float('nan'):.1f} s | {len(r['errors'])} | "
            f"{len(r['timeouts'])} | "
            f"{r['load_seconds']:.0f} s{' (killed)' if r['killed'] else ''} | "
            f"{'yes' if not r['unexpected'] else 'NO'} |")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench browser", description=__doc__)
    ap.add_argument("--sessions", type=int, default=10,
                    help="concurrent browser sessions (default 10: 20 did not fit a 2-core machine, see the findings)")
    ap.add_argument("--base-samples", type=int, default=20_000, help="samples in the warehouse the app starts with")
    ap.add_argument("--load-samples", type=int, default=300_000, help="samples in the large file loaded meanwhile")
    ap.add_argument("--kill-at", type=float, default=0.5, help="share of run 1's load time after which run 2 kills")
    ap.add_argument("--settle", type=float, default=20.0, help="seconds of reading before and after each load")
    ap.add_argument("--folder", type=Path, help="working folder (default: a temporary one)")
    ap.add_argument("--no-record", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args(argv)
    stack, ui = _stack()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="sw-browser-load-"))
    big_dir = folder / "large"
    print(f"building the app in {folder} and a {args.load_samples:,}-sample file", flush=True)
    subprocess.run([sys.executable, "-m", "etl", "demo", "--samples", str(args.load_samples), "--seed", "7",
                    "--no-load", "--out", str(big_dir)], cwd=report.ROOT, check=True, capture_output=True)
    big = big_dir / "samples.csv"
    results = {}
    peak = {}
    for name in ("load", "kill"):
        app = stack.build(folder / name, samples=args.base_samples)
        stack.start(app)
        try:
            kill_after = None if name == "load" else args.kill_at * results["load"]["load_seconds"]
            load_avg = os.getloadavg()[0]
            results[name] = asyncio.run(one_run(app, stack, ui, args.sessions, big, kill_after, args.settle))
            results[name]["load_avg"] = (load_avg, os.getloadavg()[0])
            peak[name] = peak_rss_mb(app.proc.pid)
            if not app.alive():
                results[name]["errors"].append("server died:\n" + app.server_output()[-2000:])
        finally:
            stack.stop(app)
        r = results[name]
        print(f"{name}: {r['pages']} pages, p50 {statistics.median(r['times']) if r['times'] else 0:.1f} s, "
              f"p95 {pct(r['times'], 0.95):.1f} s, errors {len(r['errors'])}, timeouts {len(r['timeouts'])}, "
              f"load {r['load_seconds']:.0f} s "
              f"(rc {r['load_rc']}, killed {r['killed']}), server peak RSS {peak[name]:.0f} MB, "
              f"unexpected overviews {r['unexpected'] or 'none'}, warehouse replaced {r['version_changed']}",
              flush=True)
        for e in r["errors"][:10]:
            print("   error:", e)
        for e in r["timeouts"][:5]:
            print("   timeout:", e)
    ok = all(not r["errors"] and not r["timeouts"] and not r["unexpected"] for r in results.values())
    ok = ok and not results["kill"]["version_changed"] and results["load"]["changed"]
    body = (
        f"`python -m bench browser --sessions {args.sessions} --base-samples {args.base_samples} --load-samples "
        f"{args.load_samples}` ({report.today()}). {args.sessions} chromium contexts (one headless Debian chromium, "
        "playwright async) each open a random page of the nine public ones with a random region in the URL, wait "
        "until the run has settled, and record the time, any error box / exception / dialog, and the overview "
        "numbers. The server starts on a synthetic warehouse; meanwhile `python -m etl load` adds a "
        f"{args.load_samples:,}-sample file. Page time = navigation to settled page, each a fresh Streamlit session "
        "(the full frontend load, a cold one for a new session), on the same 2 cores as the browser, the load and "
        "the server.\n\n"
        "| run | sessions | pages settled | p50 | p95 | max | errors seen | not settled in 120 s | ETL load | "
        "numbers consistent |\n|---|---|---|---|---|---|---|---|---|---|\n"
        + describe("load runs to the end", results["load"], args.sessions) + "\n"
        + describe("load killed (SIGKILL)", results["kill"], args.sessions) + "\n\n"
        f"Server peak RSS (VmHWM): {peak['load']:.0f} MB in the load run, {peak['kill']:.0f} MB in the kill run. "
        f"Run 1: the new snapshot {'showed' if results['load']['changed'] else 'did NOT show'} after the load "
        "without a restart; every overview seen was the before or the after view. Run 2: the load was killed at "
        f"{results['kill']['load_seconds']:.0f} s; the warehouse was "
        f"{'REPLACED' if results['kill']['version_changed'] else 'left untouched'} and every session kept showing "
        f"the old numbers{' EXCEPT ' + str(results['kill']['unexpected']) if results['kill']['unexpected'] else ''}. "
        f"1-minute load average {results['load']['load_avg'][0]:.1f} before and {results['load']['load_avg'][1]:.1f} "
        f"after run 1 (shared machine). Machine: {report.machine()}.\n"
    )
    print(body)
    if not args.no_record:
        report.update_section(TITLE, body)
    return 0 if ok else 1
