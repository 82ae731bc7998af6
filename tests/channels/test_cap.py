"""CAP 1.2 output validates against the OASIS schema and carries what receivers need."""

import datetime as dt

import pytest
from lxml import etree

from supplywatch.channels import cap
from supplywatch.channels.links import ChannelError

from .conftest import BASE_URL, NOW, make_alert

NS = {"cap": cap.NS}


def parse(doc: bytes):
    return etree.fromstring(doc)


def test_alert_validates_against_the_oasis_schema(alert):
    doc = cap.cap_xml(alert, base_url=BASE_URL)
    assert cap.validation_errors(doc) == []


def test_schema_check_is_real():
    """The validator rejects what CAP forbids: a 'Z' time and an unknown status."""
    doc = cap.cap_xml(make_alert(), base_url=BASE_URL)
    broken = doc.replace(b"<status>Actual</status>", b"<status>Bogus</status>").replace(b"+00:00</sent>", b"Z</sent>")
    errors = cap.validation_errors(broken)
    assert len(errors) == 2
    assert any("status" in e for e in errors) and any("sent" in e for e in errors)


def test_header_fields(alert):
    root = parse(cap.cap_xml(alert, base_url=BASE_URL))
    get = lambda tag: root.findtext(f"cap:{tag}", namespaces=NS)  # noqa: E731
    assert get("identifier") == "SW-2026-0007-v1"
    assert get("sender") == "supplywatch@alerts.example.org"
    assert get("sent") == "2026-11-27T08:00:00+00:00"
    assert (get("status"), get("msgType"), get("scope")) == ("Actual", "Alert", "Public")
    assert root.find("cap:references", NS) is None


def test_one_info_block_per_language_with_areas(alert):
    infos = parse(cap.cap_xml(alert, base_url=BASE_URL)).findall("cap:info", NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["en-CA", "fr-CA"]
    fr = infos[1]
    assert fr.findtext("cap:headline", namespaces=NS) == "Carfentanil trouvé dans du down vendu comme fentanyl"
    assert fr.findtext("cap:category", namespaces=NS) == "Health"
    assert fr.findtext("cap:instruction", namespaces=NS).startswith("Ne consommez pas seul·e.")
    assert fr.findtext("cap:expires", namespaces=NS) == "2026-12-11T09:00:00+00:00"
    assert fr.findtext("cap:web", namespaces=NS) == "https://alerts.example.org/public/alerts/SW-2026-0007-fr.html"
    assert infos[0].findtext("cap:web", namespaces=NS) == "https://alerts.example.org/public/alerts/SW-2026-0007.html"
    assert [a.findtext("cap:areaDesc", namespaces=NS) for a in fr.findall("cap:area", NS)] == [
        "Vancouver Coastal",
        "Île-de-Montréal",
    ]


@pytest.mark.parametrize(
    "severity, expected",
    [
        ("information", ("Future", "Minor", "Possible")),
        ("caution", ("Expected", "Moderate", "Likely")),
        ("warning", ("Immediate", "Severe", "Observed")),
    ],
)
def test_severity_ladder_mapping(severity, expected):
    doc = cap.cap_xml(make_alert(severity=severity), base_url=BASE_URL)
    assert cap.validation_errors(doc) == []
    info = parse(doc).find("cap:info", NS)
    assert tuple(info.findtext(f"cap:{t}", namespaces=NS) for t in ("urgency", "severity", "certainty")) == expected


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_update_and_cancel_reference_the_earlier_version(msg_type):
    original = make_alert(status="superseded")
    later = make_alert(
        version=2, msg_type=msg_type, references="SW-2026-0007@1", published_at=NOW,
        status="cancelled" if msg_type == "Cancel" else "published",
    )
    doc = cap.cap_xml(later, base_url=BASE_URL, referenced=original)
    assert cap.validation_errors(doc) == []
    root = parse(doc)
    assert root.findtext("cap:msgType", namespaces=NS) == msg_type
    assert root.findtext("cap:references", namespaces=NS) == (
        "supplywatch@alerts.example.org,SW-2026-0007-v1,2026-11-27T08:00:00+00:00"
    )
    urgency = root.find("cap:info", NS).findtext("cap:urgency", namespaces=NS)
    assert urgency == ("Past" if msg_type == "Cancel" else "Immediate")


def test_update_without_its_reference_is_refused():
    later = make_alert(version=2, msg_type="Update", references="SW-2026-0007@1")
    with pytest.raises(ChannelError, match=r"^alert SW-2026-0007 v2 is an Update but the version it references "
                       r"\(SW-2026-0007@1\) was not given$"):
        cap.cap_xml(later, base_url=BASE_URL)


def test_markup_and_control_characters_stay_text():
    en = make_alert().text["en"]
    hostile = type(en)(
        headline="<script>alert(1)</script> & <img src=x onerror=alert(1)>",
        details="Bell\x07 and NUL\x00 removed",
        what_to_do="[naloxone](javascript:alert(1))",
    )
    doc = cap.cap_xml(make_alert(text={"en": hostile, "fr": hostile}), base_url=BASE_URL)
    assert cap.validation_errors(doc) == []
    assert b"<script" not in doc and b"script&gt;" not in doc and b"onerror" not in doc
    info = parse(doc).find("cap:info", NS)
    assert info.findtext("cap:headline", namespaces=NS) == "&"  # markup stripped again (stored before nh3 cleaning)
    assert info.findtext("cap:description", namespaces=NS) == "Bell and NUL removed"


def test_naive_times_are_taken_as_utc():
    naive = make_alert(published_at=dt.datetime(2026, 11, 27, 8, 0, 0, 123456))
    assert parse(cap.cap_xml(naive, base_url=BASE_URL)).findtext("cap:sent", namespaces=NS) == (
        "2026-11-27T08:00:00+00:00"
    )


@pytest.mark.parametrize("alert_id", ["SW 7", "SW,7", "SW<7", "SW&7"])
def test_identifier_with_forbidden_characters_is_refused(alert_id):
    with pytest.raises(ChannelError, match="cannot be a CAP identifier"):
        cap.cap_xml(make_alert(alert_id=alert_id), base_url=BASE_URL)


@pytest.mark.parametrize("base_url", ["javascript:alert(1)", "ftp://x.org", "alerts.example.org", ""])
def test_base_url_must_be_http(base_url):
    with pytest.raises(ChannelError, match="base_url must be an http:// or https:// address"):
        cap.cap_xml(make_alert(), base_url=base_url)


def test_cancel_carries_the_retraction_reason_as_a_note():
    original = make_alert(status="superseded")
    cancel = make_alert(version=2, status="cancelled", msg_type="Cancel", references="SW-2026-0007@1",
                        status_reason="Lab retest: no carfentanil", published_at=NOW)
    doc = cap.cap_xml(cancel, base_url=BASE_URL, referenced=original)
    assert cap.validation_errors(doc) == []
    assert parse(doc).findtext("cap:note", namespaces=NS) == "Lab retest: no carfentanil"
