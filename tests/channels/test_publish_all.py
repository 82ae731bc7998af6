"""publish_all writes every channel file for the public alerts, atomically, and nothing for drafts."""

import datetime as dt
import json
import shutil

import pytest
from lxml import etree

from supplywatch import channels
from supplywatch.channels import cap

from .conftest import BASE_URL, NOW, make_alert

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def scenario():
    """One active warning; an older alert corrected (v1 superseded, v2 active); a retracted one; a draft."""
    warning = make_alert(alert_id="SW-1", regions=("Vancouver Coastal",))
    corrected_v1 = make_alert(alert_id="SW-2", status="superseded", regions=("Fraser",), severity="caution",
                              published_at=NOW - dt.timedelta(days=3))
    corrected_v2 = make_alert(alert_id="SW-2", version=2, msg_type="Update", references="SW-2@1",
                              regions=("Fraser",), severity="caution", published_at=NOW - dt.timedelta(days=1))
    retracted_v1 = make_alert(alert_id="SW-3", status="superseded", regions=("Fraser",))
    retracted_v2 = make_alert(alert_id="SW-3", version=2, status="cancelled", msg_type="Cancel",
                              references="SW-3@1", regions=("Fraser",))
    draft = make_alert(alert_id="SW-4", status="draft", published_at=None, regions=("Interior",))
    active = [warning, corrected_v2]
    history = [corrected_v1, retracted_v1, retracted_v2, warning, corrected_v2, draft]
    return active, history


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The scenario published once into a fresh folder; the tests using it only read (posters are slow)."""
    folder = tmp_path_factory.mktemp("public")
    active, history = scenario()
    return folder, channels.publish_all(active, history, folder, BASE_URL, NOW)


def test_writes_every_file_and_only_public_versions(published):
    tmp_path, result = published
    written = sorted(str(p.relative_to(tmp_path)) for p in result["written"])
    assert result["unchanged"] == []
    caps = [w for w in written if w.startswith("cap/")]
    assert caps == ["cap/SW-1-v1.xml", "cap/SW-2-v1.xml", "cap/SW-2-v2.xml", "cap/SW-3-v1.xml", "cap/SW-3-v2.xml"]
    assert len([w for w in written if w.startswith("posters/")]) == 10
    assert len([w for w in written if w.startswith("sms/")]) == 10
    feeds = {w for w in written if w.startswith("feeds/")}
    assert feeds == {
        f"feeds/{stem}{suffix}.{ext}"
        for stem in ("alerts", "vancouver-coastal", "fraser")
        for suffix in ("", "-fr")
        for ext in ("atom", "json")
    }
    assert "index.json" in written
    assert not any("SW-4" in w or "interior" in w for w in written)  # the draft leaves no trace
    for name in caps:
        assert cap.validation_errors((tmp_path / name).read_bytes()) == []
    assert not list(tmp_path.rglob("*.tmp"))


def test_feeds_hold_active_alerts_per_region(published):
    tmp_path, _ = published

    def ids(name):
        root = etree.parse(str(tmp_path / "feeds" / name)).getroot()
        return [e.findtext("a:id", namespaces=ATOM).split("alert=")[1] for e in root.findall("a:entry", ATOM)]

    assert ids("alerts.atom") == ["SW-1&version=1", "SW-2&version=2"]
    assert ids("fraser-fr.atom") == ["SW-2&version=2"]  # the retracted SW-3 is not active
    assert ids("vancouver-coastal.atom") == ["SW-1&version=1"]
    region_json = json.loads((tmp_path / "feeds" / "fraser.json").read_text())
    assert [i["_supplywatch"]["alert_id"] for i in region_json["items"]] == ["SW-2"]


def test_cancel_references_the_version_it_retracts(published):
    tmp_path, _ = published
    root = etree.parse(str(tmp_path / "cap" / "SW-3-v2.xml")).getroot()
    assert root.findtext(f"{{{cap.NS}}}msgType") == "Cancel"
    assert root.findtext(f"{{{cap.NS}}}references") == "supplywatch@alerts.example.org,SW-3-v1,2026-11-27T08:00:00+00:00"


def test_index_names_every_file(published):
    tmp_path, _ = published
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["generated_at"] == "2026-11-27T09:00:00+00:00"
    assert [(a["alert_id"], a["version"], a["active"]) for a in index["alerts"]] == [
        ("SW-1", 1, True), ("SW-2", 1, False), ("SW-2", 2, True), ("SW-3", 1, False), ("SW-3", 2, False)
    ]
    for entry in index["alerts"]:
        for rel in [entry["cap"], *entry["posters"].values(), *entry["sms"].values()]:
            assert (tmp_path / rel).is_file()
    assert index["feeds"]["Fraser"]["fr"]["atom"] == "feeds/fraser-fr.atom"


def copy_of(published, tmp_path):
    """A private copy of the published folder, for tests that publish again."""
    shutil.copytree(published[0], tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_second_run_rewrites_only_what_changed(published, tmp_path):
    active, history = scenario()
    tmp_path = copy_of(published, tmp_path)
    # An hour later SW-1 has been retracted: its Cancel is new, the feeds change, old versions stay as they were.
    cancel = make_alert(alert_id="SW-1", version=2, status="cancelled", msg_type="Cancel", references="SW-1@1",
                        regions=("Vancouver Coastal",), published_at=NOW)
    superseded = make_alert(alert_id="SW-1", status="superseded", regions=("Vancouver Coastal",))
    later = NOW + dt.timedelta(hours=1)
    result = channels.publish_all([active[1]], [*history[:3], superseded, cancel, active[1]], tmp_path, BASE_URL, later)
    written = {str(p.relative_to(tmp_path)) for p in result["written"]}
    assert {"cap/SW-1-v2.xml", "sms/SW-1-v2-en.txt", "posters/SW-1-v2-fr.pdf", "feeds/alerts.atom",
            "feeds/vancouver-coastal.json", "index.json"} <= written
    assert not any(w.startswith(("cap/SW-2", "posters/SW-3")) for w in written)
    root = etree.parse(str(tmp_path / "feeds" / "vancouver-coastal.atom")).getroot()
    assert root.findall("a:entry", ATOM) == []


def test_a_version_that_cannot_render_is_named_and_feeds_still_update(published, tmp_path):
    active, history = scenario()
    tmp_path = copy_of(published, tmp_path)
    orphan = make_alert(alert_id="SW-9", version=2, msg_type="Update", references="SW-9@1", regions=("Fraser",))
    later = NOW + dt.timedelta(hours=1)
    with pytest.raises(channels.ChannelError, match=(
        r"^1 alert version\(s\) not rendered \(the other public files were written\): SW-9@2: alert SW-9 v2 is an "
        r"Update but the version it references \(SW-9@1\) was not given$"
    )):
        channels.publish_all([active[1], orphan], history, tmp_path, BASE_URL, later)
    assert not (tmp_path / "cap" / "SW-9-v2.xml").exists()
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["generated_at"] == "2026-11-27T10:00:00+00:00"
    assert "SW-9" not in {a["alert_id"] for a in index["alerts"]}
    feed = json.loads((tmp_path / "feeds" / "alerts.json").read_text())
    assert [i["_supplywatch"]["alert_id"] for i in feed["items"]] == ["SW-9", "SW-2"]  # SW-1 left the board


def test_bad_base_url_writes_nothing(tmp_path):
    active, history = scenario()
    with pytest.raises(channels.ChannelError, match="base_url must be an http:// or https:// address"):
        channels.publish_all(active, history, tmp_path, "javascript:alert(1)", NOW)
    assert list(tmp_path.iterdir()) == []


def test_region_named_alerts_cannot_overwrite_the_main_feed(tmp_path):
    alert = make_alert(regions=("Alerts",))
    result = channels.publish_all([alert], [alert], tmp_path, BASE_URL, NOW)
    names = {str(p.relative_to(tmp_path)) for p in result["written"]}
    assert {"feeds/alerts.atom", "feeds/region-alerts.atom"} <= names


def test_existing_version_files_are_kept_unless_rebuild(tmp_path):
    alert = make_alert()
    channels.publish_all([alert], [alert], tmp_path, BASE_URL, NOW)
    sms_file = tmp_path / "sms" / "SW-2026-0007-v1-en.txt"
    sms_file.write_text("stale\n")
    later = NOW + dt.timedelta(minutes=1)
    result = channels.publish_all([alert], [alert], tmp_path, BASE_URL, later)
    assert sms_file not in result["written"] and sms_file.read_text() == "stale\n"
    result = channels.publish_all([alert], [alert], tmp_path, BASE_URL, later, rebuild=True)
    assert sms_file in result["written"] and sms_file.read_text().startswith("WARNING: Carfentanil")
