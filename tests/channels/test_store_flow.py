"""End to end with the real alert store: publishing, correcting and retracting rewrite the public files."""

import datetime as dt
import json

import pytest
from lxml import etree

from supplywatch import auth, db
from supplywatch.alerts import store
from supplywatch.channels import cap

from .conftest import NOW, make_alert

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(isolated_db, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_BASE_URL", "https://alerts.example.org")
    for name, role in (("pat", "poster"), ("rene", "reviewer")):
        auth.add_user(name, role, PASSWORD, "test", NOW)
    return db.public_dir()


def publish(text, regions=("Fraser",)):
    draft = store.create_draft(text=text, severity="warning", substances=("carfentanil",), regions=regions,
                               evidence=("sample DC-7",), actor="pat", now=NOW)
    store.submit_for_review(draft.alert_id, "pat", NOW)
    return store.approve(draft.alert_id, "rene", NOW + dt.timedelta(minutes=5))


def test_publish_then_retract_updates_every_channel(staff):
    public = staff
    alert = publish(make_alert().text)
    assert store.last_publish().ok, store.last_publish().message
    stem = f"{alert.alert_id}-v1"
    for rel in (f"cap/{stem}.xml", f"sms/{stem}-en.txt", f"sms/{stem}-fr.txt", f"posters/{stem}-en.pdf",
                f"posters/{stem}-fr.pdf", "feeds/alerts.atom", "feeds/fraser-fr.json", "index.json"):
        assert (public / rel).is_file(), rel
    feed = json.loads((public / "feeds" / "fraser.json").read_text())
    assert [i["_supplywatch"]["alert_id"] for i in feed["items"]] == [alert.alert_id]
    assert (public / "sms" / f"{stem}-fr.txt").read_text().startswith("AVERTISSEMENT: Carfentanil trouvé")

    later = NOW + dt.timedelta(hours=2)
    cancel = store.retract(alert.alert_id, "rene", "Lab retest: no carfentanil", later)
    assert store.last_publish().ok, store.last_publish().message
    doc = (public / "cap" / f"{alert.alert_id}-v{cancel.version}.xml").read_bytes()
    assert cap.validation_errors(doc) == []
    root = etree.fromstring(doc)
    assert root.findtext(f"{{{cap.NS}}}msgType") == "Cancel"
    assert root.findtext(f"{{{cap.NS}}}references").split(",")[1] == stem
    feed = json.loads((public / "feeds" / "fraser.json").read_text())
    assert feed["items"] == []  # retracted: off the feed, kept in history (CAP file and index)
    index = json.loads((public / "index.json").read_text())
    assert [(a["version"], a["status"]) for a in index["alerts"]] == [(1, "superseded"), (2, "cancelled")]
