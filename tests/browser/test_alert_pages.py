"""The static alert pages in Chromium, served as `make run` serves /public/ (channels/serving.py): English and
French, desktop and phone, axe-core with no serious or critical finding, and the board's links lead to them.

This is the page thousands of readers open from an SMS or a poster's QR code, often on a phone at night: it must
read in the reader's language, fit a narrow screen without sideways scrolling, and say plainly when the alert was
retracted or has ended.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from supplywatch import channels, help_directory, local_time
from supplywatch.channels import serving
from tests.channels.conftest import make_alert

from . import axe, stack

pytestmark = pytest.mark.browser

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
ENTRIES = help_directory.parse(stack.ROOT / "tests" / "data" / "help" / "channels.csv")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def served(folder: Path) -> ThreadingHTTPServer:
    """A local server answering /public/<path> exactly as app.py's route does (same files, types and headers)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            relative = self.path.split("?")[0].removeprefix("/public/")
            found = serving.resolve(folder, relative) if self.path.startswith("/public/") else None
            body = found[0].read_bytes() if found else b"Not found\n"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", found[1] if found else "text/plain; charset=utf-8")
            for name, value in (serving.headers_for(relative) if found else serving.HEADERS).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One active warning (with where to get help), one retracted alert, published and served; its base URL."""
    folder = tmp_path_factory.mktemp("public")
    server = served(folder)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    warning = make_alert(alert_id="SW-2026-0101", regions=("Vancouver Coastal",),
                         published_at=NOW - dt.timedelta(hours=1), expires_at=NOW + dt.timedelta(days=7))
    first = make_alert(alert_id="SW-2026-0102", status="superseded", severity="caution", regions=("Fraser",),
                       published_at=NOW - dt.timedelta(hours=3), expires_at=NOW + dt.timedelta(days=7))
    cancel = make_alert(alert_id="SW-2026-0102", version=2, status="cancelled", msg_type="Cancel",
                        references="SW-2026-0102@1", severity="caution", regions=("Fraser",),
                        published_at=NOW - dt.timedelta(hours=2), expires_at=NOW + dt.timedelta(days=7),
                        status_reason="A lab re-test found no carfentanil")
    old = os.environ.get("SUPPLYWATCH_PUBLIC_URL")
    os.environ.pop("SUPPLYWATCH_PUBLIC_URL", None)
    try:
        channels.publish_all([warning], [warning, first, cancel], folder, base, NOW, help_entries=ENTRIES)
    finally:
        if old is not None:
            os.environ["SUPPLYWATCH_PUBLIC_URL"] = old
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(stack.CHROMIUM):
        pytest.skip(f"{stack.CHROMIUM} is missing: `make browser` installs Debian chromium")
    with stack.chromium() as b:
        yield b


def open_page(browser, url: str, device: str):
    # axe is injected as a script, which the pages' own CSP forbids; the headers themselves are checked apart.
    context = browser.new_context(viewport=VIEWPORTS[device], is_mobile=device == "phone",
                                  has_touch=device == "phone", bypass_csp=True)
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 200, url
    return page, response


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("lang, name, heading, todo", [
    ("en", "SW-2026-0101.html", "Carfentanil found in down sold as fentanyl", "What to do"),
    ("fr", "SW-2026-0101-fr.html", "Carfentanil trouvé dans du down vendu comme fentanyl", "Que faire"),
    ("en", "SW-2026-0102.html", "Carfentanil found in down sold as fentanyl", None),
    ("fr", "SW-2026-0102-fr.html", "Carfentanil trouvé dans du down vendu comme fentanyl", None),
])
def test_alert_page_reads_in_its_language_on_desktop_and_phone_with_no_serious_axe_finding(
        browser, site, device, lang, name, heading, todo):
    if axe.missing():
        pytest.fail(axe.missing())  # never a silent pass: `make test` installs it
    page, response = open_page(browser, f"{site}/public/alerts/{name}", device)
    try:
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "public, max-age=60"
        assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no script
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.get_by_role("main").count() == 1 and page.get_by_role("contentinfo").count() == 1
        if todo:
            assert page.get_by_role("heading", level=2, name=todo).is_visible()
            assert page.locator(".severity").inner_text() == ("⊘ WARNING" if lang == "en" else "⊘ AVERTISSEMENT")
        else:  # retracted: said first, plainly, and the old advice is gone
            state = page.get_by_role("note").inner_text()
            assert state.startswith("RETRACTED" if lang == "en" else "RETIRÉE")
            assert local_time.format_local(NOW - dt.timedelta(hours=2), lang) in state
            assert page.get_by_role("heading", name="What to do" if lang == "en" else "Que faire").count() == 0
        # nothing wider than the screen on a phone: no sideways scrolling to read the advice
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert axe.blocking(axe.run(page)) == []
        other = page.get_by_role("link", name="Français" if lang == "en" else "English")
        other.click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == ("fr" if lang == "en" else "en")
    finally:
        page.context.close()


@pytest.mark.parametrize("lang, label", [("en", "This alert on its own page (to share)"),
                                         ("fr", "Cette alerte sur sa propre page (à partager)")])
def test_the_static_board_links_each_alert_to_its_page(browser, site, lang, label):
    suffix = "" if lang == "en" else "-fr"
    page, _response = open_page(browser, f"{site}/public/board/alerts{suffix}.html", "phone")
    try:
        page.get_by_role("link", name=label).click()
        page.wait_for_load_state()
        assert page.url == f"{site}/public/alerts/SW-2026-0101{suffix}.html"
        assert page.get_by_role("heading", level=1).inner_text().startswith("Carfentanil")
        # and back: the page's own link to every current alert opens the board in the same language
        page.get_by_role("link", name="All current alerts" if lang == "en" else "Toutes les alertes en cours").click()
        page.wait_for_load_state()
        assert page.url == f"{site}/public/board/alerts{suffix}.html"
        for name in ("Printable poster (PDF)", "CAP 1.2 XML", "SMS text") if lang == "en" else ():
            href = page.get_by_role("link", name=name).first.get_attribute("href")
            assert page.request.get(f"{site}/public/board/{href}").status == 200, href
    finally:
        page.context.close()
