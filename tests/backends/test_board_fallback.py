"""A server started while PostgreSQL is down has read no alert: its board shows the active alerts of the public
feed the last publication wrote to the shared public folder (as text), under the banner, not an empty list."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from supplywatch import app_version, i18n, public_feed_copy, views
from supplywatch.web import session
from supplywatch.alerts import store
from tests.backends.test_app_down import DOWN_URL, run

HEADLINE = {"en": "Carfentanil found in down sold as fentanyl.",
            "fr": "Carfentanil trouvé dans du down vendu comme fentanyl."}
COPIED = {"en": "Copied from the public alert feed as last published, while the alerts cannot be read.",
          "fr": "Repris du fil public des alertes, tel que publié en dernier, tant que les alertes ne peuvent pas être"
                " lues."}
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("app_backend", ["postgres"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_server_started_during_the_outage_shows_the_feeds_alerts(app_backend, staff, make_text, monkeypatch, lang):
    now = dt.datetime.now(dt.timezone.utc)
    monkeypatch.setattr(session, "now", lambda: now)
    # a fresh version object: this server never read the alerts
    monkeypatch.setattr(app_version, "APP_VERSION", app_version.AppVersion())
    views._public_history.clear()
    a = store.create_draft(text=make_text(), severity="warning", regions=["Victoria"], actor="pat", now=now)
    store.submit_for_review(a.alert_id, "pat", now)
    store.approve(a.alert_id, "rae", now)  # publishing writes the feeds to the public folder
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", DOWN_URL)
    board = run("alerts_board.py", lang)
    assert [w.value for w in board.warning] == [i18n.translator(lang)(views.ALERTS_STALE)]
    markdown = [m.value for m in board.markdown]
    assert "### " + HEADLINE[lang].replace(".", "\\.") in markdown
    assert ("**⊘ " + ("WARNING" if lang == "en" else "AVERTISSEMENT") + "**") in markdown
    assert COPIED[lang] in [c.value for c in board.caption]
    assert [i.value for i in board.info] == [i18n.translator(lang)("No expired or retracted alerts.")]  # History


def feed(tmp_path, items) -> None:
    (tmp_path / "feeds").mkdir(exist_ok=True)
    (tmp_path / "feeds" / "alerts.json").write_text(json.dumps({"items": items}), encoding="utf-8")


def test_feed_entries_are_read_as_plain_data_and_expired_ones_left_out(tmp_path):
    feed(tmp_path, [
        {"summary": "<script>alert(1)</script> **bold**", "content_text": "What to do: [x](javascript:y)",
         "_supplywatch": {"severity": "caution", "regions": ["Victoria", 7], "expires": "2026-12-01T00:00:00Z"}},
        {"summary": "Gone", "_supplywatch": {"severity": "warning", "expires": "2026-11-27T11:59:59Z"}},
        {"summary": "Odd severity", "_supplywatch": {"severity": "<b>", "expires": None}},
        "not an item", {"content_text": "no headline"},
    ])
    assert public_feed_copy.active_alerts(tmp_path, "en", NOW) == [
        public_feed_copy.FeedAlert("caution", "<script>alert(1)</script> **bold**", "What to do: [x](javascript:y)",
                                   ("Victoria",), dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)),
        public_feed_copy.FeedAlert("information", "Odd severity", "", (), None),
    ]


@pytest.mark.parametrize("content", [None, b"not json", b'{"items": "x"}', b"[1, 2]",
                                     b'{"items": []}' + b" " * public_feed_copy.MAX_BYTES])
def test_missing_or_unreadable_feed_gives_no_alerts(tmp_path, content):
    if content is not None:
        (tmp_path / "feeds").mkdir()
        (tmp_path / "feeds" / "alerts.json").write_bytes(content)
    assert public_feed_copy.active_alerts(tmp_path, "en", NOW) == []
