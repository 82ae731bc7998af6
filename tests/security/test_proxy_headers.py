"""The shipped nginx site (deploy/nginx/) in front of a real Streamlit server: the security headers Streamlit
cannot send arrive on every response, the app still works through the proxy (websocket included) under that CSP,
and a page of another origin cannot frame it.

The site file runs as shipped; only its addresses (ports, certificate, folders) are swapped for temporary ones,
and each swap must match, so a change to the file that the test no longer covers fails here.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import stack as app_stack
from tests.browser import ui

DEPLOY = app_stack.ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HSTS = "max-age=31536000"
# Streamlit's frontend looks for its base URL by asking under the page's own path first (/alerts/_stcore/health,
# then /_stcore/health): those two 404s happen without a proxy too.
STREAMLIT_PROBE = re.compile(r"/[a-z_-]+/_stcore/(health|host-config)$")


def _swap(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/supplywatch.conf no longer has {old!r}; update this test with it"
    return text.replace(old, new)


def site_for_test(public: Path, app_port: int, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx/supplywatch.conf with loopback ports, a throwaway certificate and the test's folders."""
    text = (DEPLOY / "supplywatch.conf").read_text()
    for old, new in (("listen [::]:80;\n", ""), ("listen [::]:443 ssl http2;\n", ""),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
                     ("/etc/letsencrypt/live/supplywatch.example.org/fullchain.pem", str(cert)),
                     ("/etc/letsencrypt/live/supplywatch.example.org/privkey.pem", str(key)),
                     ("/etc/nginx/supplywatch/", f"{DEPLOY}/"),
                     ("/srv/supplywatch/public/", f"{public}/"),
                     ("http://127.0.0.1:8501", f"http://127.0.0.1:{app_port}")):
        text = _swap(text, old, new)
    return text


def main_conf(folder: Path, site: Path) -> str:
    """A whole nginx.conf that needs no root paths: pid, logs and temp folders in ``folder``."""
    temps = "\n".join(f"    {name}_temp_path {folder / name};" for name in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))
    return (f"master_process off;\ndaemon off;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"  # a page opens ~60 script chunks, each two connections
            f"http {{\n    access_log {folder / 'access.log'};\n{temps}\n    include {site};\n}}\n")


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"nginx exited {proc.returncode}: {log.read_text() if log.exists() else ''}"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nginx did not listen on {port}: {log.read_text() if log.exists() else ''}")


class Proxy:
    def __init__(self, http_port: int, https_port: int, app):
        self.http = f"http://127.0.0.1:{http_port}"
        self.https = f"https://127.0.0.1:{https_port}"
        self.https_port = https_port
        self.app = app


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.skip(f"{NGINX} is missing: `make browser` installs Debian nginx-light")
    if not os.path.exists(app_stack.CHROMIUM):
        pytest.skip(f"{app_stack.CHROMIUM} is missing: `make browser` installs Debian chromium")
    folder = tmp_path_factory.mktemp("proxy")
    app = app_stack.start(app_stack.build(folder / "app", samples=1000))
    (app.public / "feeds").mkdir(parents=True, exist_ok=True)
    (app.public / "feeds" / "probe.json").write_text('{"probe": true}')
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    ports = (app_stack.free_port(), app_stack.free_port())
    site = folder / "site.conf"
    site.write_text(site_for_test(app.public, app.port, *ports, cert, key))
    conf = folder / "nginx.conf"
    conf.write_text(main_conf(folder, site))
    check = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for port in ports:
            wait_for_port(port, nginx, folder / "error.log")
        yield Proxy(*ports, app)
    finally:
        nginx.send_signal(signal.SIGQUIT)  # graceful stop of the one process this test started
        try:
            nginx.wait(10)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait(10)
        app_stack.stop(app)


UNVERIFIED = ssl._create_unverified_context()  # the throwaway certificate of the fixture


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str):
    """(status, headers) of a GET, without following redirects; error statuses are answers too."""
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=UNVERIFIED))
    try:
        with opener.open(url, timeout=30) as resp:
            return resp.status, resp.headers
    except urllib.error.HTTPError as err:
        return err.code, err.headers


def csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path, status", [("/", 200), ("/_stcore/health", 200), ("/alerts", 200),
                                          ("/public/feeds/probe.json", 200), ("/public/no-such-file", 404)])
def test_every_https_answer_carries_the_security_headers(proxy, path, status):
    code, headers = fetch(proxy.https + path)
    assert code == status
    policy = csp(headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert {"camera=()", "microphone=()", "geolocation=()"} <= set(headers["Permissions-Policy"].split(", "))
    assert headers["Strict-Transport-Security"] == HSTS
    assert headers.get_all("Content-Security-Policy") == [headers["Content-Security-Policy"]]  # sent once
    assert "nginx/" not in (headers["Server"] or "")  # no version for scanners


def test_plain_http_only_redirects_to_https(proxy):
    code, headers = fetch(proxy.http + "/alerts?alert=SW-2026-0001")
    assert code == 301
    assert headers["Location"] == "https://127.0.0.1/alerts?alert=SW-2026-0001"
    assert headers["Strict-Transport-Security"] is None  # HSTS means nothing over plain HTTP


def test_the_websocket_handshake_passes_the_proxy(proxy):
    """/_stcore/stream is where the app lives: the proxy must pass Upgrade and answer 101."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{proxy.https_port}\r\n"
               f"Origin: {proxy.https}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Protocol: streamlit\r\n\r\n")
    with socket.create_connection(("127.0.0.1", proxy.https_port), timeout=30) as raw:
        with UNVERIFIED.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(request.encode())
            answer = tls.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 101 Switching Protocols\r\n"), answer


@pytest.fixture(scope="module")
def browser(proxy):
    with app_stack.chromium() as b:
        yield b


def watched_page(browser):
    """A fresh page through the proxy that records console errors, CSP violation events and failed requests."""
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ui.TIMEOUT_MS)
    page = context.new_page()
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: seen.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and not STREAMLIT_PROBE.search(r.url) else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                         "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
    return context, page, seen


@pytest.mark.parametrize("path, heading", [("/alerts", "Drug alerts"), ("/trends", None), ("/expected", None)])
def test_the_app_works_through_the_proxy_under_its_csp(browser, proxy, path, heading):
    context, page, seen = watched_page(browser)
    try:
        ui.open_page(page, proxy.https + path)
        assert ui.problems(page) == []
        title = page.locator('[data-testid="stMain"] h1').first.inner_text()
        assert title == heading if heading else title.strip()
        assert len(page.locator('[data-testid="stMain"]').inner_text()) > 200  # real content, not a shell
        assert seen == [], "\n".join(seen)
    finally:
        context.close()


@contextlib.contextmanager
def other_site(html: str):
    """A real web server of another origin on this machine serving ``html`` (Chromium's private network rules
    would stop a public page from framing a local one before the headers are read, proving nothing)."""
    body = html.encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_another_site_cannot_frame_the_app(browser, proxy):
    """A page elsewhere frames the app twice: straight from Streamlit (the control: it loads) and through the
    proxy (refused by frame-ancestors 'none', so no clickjacking of the staff pages)."""
    context, page, _ = watched_page(browser)
    attack = (f'<iframe id="direct" src="{proxy.app.url}/alerts" width="600" height="400"></iframe>'
              f'<iframe id="proxied" src="{proxy.https}/alerts" width="600" height="400"></iframe>')
    try:
        with other_site(attack) as elsewhere:
            page.goto(elsewhere)
            page.frame_locator("#direct").locator('[data-testid="stApp"]').wait_for(timeout=ui.TIMEOUT_MS)
            proxied = page.query_selector("#proxied").content_frame()
            assert proxied.url == "chrome-error://chromewebdata/"  # what Chromium shows for a refused frame
            assert page.frame_locator("#proxied").locator('[data-testid="stApp"]').count() == 0
    finally:
        context.close()


def test_staff_sign_in_and_a_download_work_through_the_proxy(browser, proxy):
    """The XSRF cookie, the signed-in session and a CSV download (a /media/ link) all pass the proxy and its CSP."""
    name, _, password = app_stack.REVIEWER
    context, page, seen = watched_page(browser)
    try:
        ui.sign_in(page, proxy.https, name, password)
        assert ui.problems(page) == []
        ui.open_page(page, proxy.https + "/samples")
        page.get_by_text(re.compile(r"^Prepare downloads of all")).click()
        ui.wait_idle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        assert download.value.suggested_filename == "supplywatch-samples.csv"
        rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
        assert len(rows) > 100 and rows[0].count(",") >= 3
        assert seen == [], "\n".join(seen)
    finally:
        context.close()


PUBLIC_FILES = [("board/alerts.html", "text/html; charset=utf-8", "max-age=60"),
                # the page every SMS and poster links to changes when the alert is updated, retracted or ends
                ("alerts/SW-2026-0001-fr.html", "text/html; charset=utf-8", "max-age=60"),
                ("feeds/alerts.atom", "application/atom+xml; charset=utf-8", "max-age=60"),
                ("feeds/probe.json", "application/json; charset=utf-8", "max-age=60"),
                ("cap/SW-2026-0001-1.xml", "application/cap+xml; charset=utf-8", "max-age=86400"),
                ("sms/SW-2026-0001-1-en.txt", "text/plain; charset=utf-8", "max-age=86400"),
                ("posters/SW-2026-0001-1-en.pdf", "application/pdf", "max-age=86400")]


@pytest.mark.parametrize("path, content_type, cache", PUBLIC_FILES)
def test_the_shipped_site_serves_public_files_with_their_type_and_the_headers(proxy, path, content_type, cache):
    """The crowd after an alert reads the public folder from nginx: each kind of file with its own type."""
    target = proxy.app.public / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(b"%PDF-1.4 probe" if path.endswith(".pdf") else b"probe")
    code, headers = fetch(proxy.https + "/public/" + path)
    assert code == 200
    assert headers["Content-Type"] == content_type
    assert headers["Cache-Control"] == cache
    assert csp(headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]  # security headers kept
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_half_written_dot_files_are_not_served(proxy):
    (proxy.app.public / "feeds").mkdir(parents=True, exist_ok=True)
    (proxy.app.public / "feeds" / ".alerts.atom.tmp").write_text("half written")
    assert fetch(proxy.https + "/public/feeds/.alerts.atom.tmp")[0] == 404
