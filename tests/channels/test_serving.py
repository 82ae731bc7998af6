"""The public folder over HTTP (channels/serving.py) and the links the dashboard's board gives to it."""

import os

import pytest

from supplywatch.alerts.board import public_files
from supplywatch.channels import serving

from .conftest import make_alert


@pytest.fixture
def folder(tmp_path):
    for name in ("posters/SW-1-v1-fr.pdf", "cap/SW-1-v1.xml", "sms/SW-1-v1-en.txt", "feeds/alerts.atom",
                 "feeds/alerts-fr.json", "board/alerts.html", "alerts/SW-1-fr.html", "index.json", "feeds/.alerts.atom.x1.tmp",
                 "feeds/notes.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path.parent / "secret.json").write_bytes(b"{}")
    os.symlink(tmp_path.parent / "secret.json", tmp_path / "feeds" / "link.json")
    return tmp_path


@pytest.mark.parametrize(
    ("relative", "content_type"),
    [
        ("posters/SW-1-v1-fr.pdf", "application/pdf"),
        ("cap/SW-1-v1.xml", "application/cap+xml; charset=utf-8"),
        ("sms/SW-1-v1-en.txt", "text/plain; charset=utf-8"),
        ("feeds/alerts.atom", "application/atom+xml; charset=utf-8"),
        ("feeds/alerts-fr.json", "application/json; charset=utf-8"),
        ("board/alerts.html", "text/html; charset=utf-8"),
        ("alerts/SW-1-fr.html", "text/html; charset=utf-8"),
        ("index.json", "application/json; charset=utf-8"),
    ],
)
def test_each_kind_of_file_has_its_content_type(folder, relative, content_type):
    assert serving.resolve(folder, relative) == (folder / relative, content_type)


@pytest.mark.parametrize(
    "relative",
    [
        "",  # the folder itself: no listing
        "feeds",  # a folder
        "feeds/",
        "feeds/.alerts.atom.x1.tmp",  # a half-written file of an atomic write
        "feeds/notes.py",  # not a kind of file the channels write
        "../secret.json",  # outside the folder
        "feeds/../../secret.json",
        "feeds/link.json",  # a symlink out of the folder
        "feeds//alerts.atom",
        "feeds\\alerts.atom",
        "feeds/missing.atom",
    ],
)
def test_anything_else_is_not_served(folder, relative):
    assert serving.resolve(folder, relative) is None


def test_feeds_are_cached_a_minute_versions_a_day_and_no_script_may_run():
    assert serving.headers_for("feeds/alerts.atom")["Cache-Control"] == "public, max-age=60"
    assert serving.headers_for("board/alerts-fr.html")["Cache-Control"] == "public, max-age=60"
    # an alert's page says so at once when it is updated, retracted or ends: a minute, not a day
    assert serving.headers_for("alerts/SW-1-fr.html")["Cache-Control"] == "public, max-age=60"
    assert serving.headers_for("posters/SW-1-v1-fr.pdf")["Cache-Control"] == "public, max-age=86400"
    csp = serving.headers_for("board/alerts.html")["Content-Security-Policy"]
    assert csp.startswith("default-src 'none';") and "script-src" not in csp


def test_board_links_point_to_the_same_origin_by_default(monkeypatch):
    monkeypatch.delenv("SUPPLYWATCH_PUBLIC_URL", raising=False)
    monkeypatch.setenv("SUPPLYWATCH_BASE_URL", "http://localhost:8501")  # a port the reader may not be using
    assert public_files(make_alert(alert_id="SW-1"), "fr") == [
        ("page", "/public/alerts/SW-1-fr.html"), ("poster", "/public/posters/SW-1-v1-fr.pdf"), ("cap", "/public/cap/SW-1-v1.xml"),
        ("sms", "/public/sms/SW-1-v1-fr.txt"),
    ]
    assert public_files(None, "fr", "Île-de-Montréal") == [
        ("atom", "/public/feeds/ile-de-montreal-fr.atom"), ("json", "/public/feeds/ile-de-montreal-fr.json"),
        ("board", "/public/board/ile-de-montreal-fr.html"),
    ]


def test_board_links_follow_a_public_url_and_refuse_a_bad_one(monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_URL", "https://cdn.example.org/sw/")
    assert public_files(None, "en") == [
        ("atom", "https://cdn.example.org/sw/feeds/alerts.atom"), ("json", "https://cdn.example.org/sw/feeds/alerts.json"),
        ("board", "https://cdn.example.org/sw/board/alerts.html"),
    ]
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_URL", "javascript:alert(1)//")
    assert public_files(None, "en") == []
