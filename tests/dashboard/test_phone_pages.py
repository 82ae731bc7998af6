"""What a reader on a phone sees first: what was found before the other sample columns, alerts before numbers,
each alert a link to the full alert."""

from __future__ import annotations

import datetime as dt

from supplywatch import auth
from supplywatch.alerts import store

from .test_pages import frame, run, staff_account  # noqa: F401  (fixture)

FOUND_FIRST = ["FTIR found", "Lab found", "Sold as", "Fentanyl %", "Sample id"]


def test_samples_list_starts_with_what_was_found(fixture_db, staff_account):  # noqa: F811
    table = frame(run("samples", staff=True), "Sample id")
    assert list(table.columns[:5]) == FOUND_FIRST
    assert len(table.columns) == 18


def test_sample_lookup_starts_with_what_was_found(fixture_db):
    at = run("samples")
    at.text_input(key="smp_id").input("N07").run()
    one = at.dataframe[0].value
    assert list(one.columns[:3]) == ["FTIR found", "Lab found", "Fentanyl %"]
    assert one.iloc[0]["FTIR found"] == "carfentanil; fentanyl"


def test_samples_in_french_start_with_what_was_found(fixture_db, staff_account):  # noqa: F811
    table = frame(run("samples", staff=True, params={"lang": "fr"}), "Identifiant de l'échantillon")
    assert list(table.columns[:2]) == ["Trouvé par FTIR", "Trouvé en laboratoire"]


def publish(region: str, headline: str, what_to_do: str, severity: str = "warning") -> str:
    """One alert published the way staff publish it (a poster drafts, a reviewer approves); its id."""
    now = dt.datetime.now(dt.timezone.utc)
    for name, role in (("pia", "poster"), ("rey", "reviewer")):
        if auth.current_user(name) is None:
            auth.add_user(name, role, f"a long test passphrase for {name}", "test", now)
    text = {lang: {"headline": f"{headline} ({lang})", "details": "Two samples this week.", "what_to_do": what_to_do}
            for lang in ("en", "fr")}
    alert = store.create_draft(actor="pia", now=now, text=text, severity=severity, regions=[region],
                               substances=["carfentanil"], evidence=["test samples"])
    store.submit_for_review(alert.alert_id, "pia", now)
    store.approve(alert.alert_id, "rey", now)
    return alert.alert_id


def order(at) -> list[str]:
    """The main area's elements in page order, as 'type:text' (subheaders, page links, metrics)."""
    return _walk(at.main)


def _walk(node) -> list[str]:
    kind = getattr(node, "type", "")
    if kind in ("header", "subheader", "metric", "page_link") or kind == "markdown" and getattr(node, "tag", "") == "h3":
        label = getattr(node, "label", None) or getattr(node, "value", "")
        return [f"{kind}:{label}"]
    children = getattr(node, "children", None)
    return [x for child in (children.values() if isinstance(children, dict) else []) for x in _walk(child)]


def test_overview_shows_the_regions_alerts_before_any_number_each_linking_to_the_full_alert(fixture_db):
    north = publish("North", "Carfentanil in down", "Carry naloxone.")
    publish("South", "Xylazine in fentanyl", "Get wound care.")
    at = run(params={"region": "North"})
    seen = order(at)
    first_number = next(i for i, s in enumerate(seen) if s.startswith("metric:"))
    links = [i for i, s in enumerate(seen) if s == "page_link:What to do and the full alert"]
    assert len(links) == 1 and links[0] < first_number, seen  # North's alert only, above the numbers
    (link,) = [p for p in at.get("page_link") if p.proto.label == "What to do and the full alert"]
    assert link.proto.page.endswith("app_pages/alerts_board.py") or link.proto.page == "alerts", link.proto
    assert link.proto.query_string == f"alert={north}"
    assert any("Carfentanil in down (en)" in t.value for t in at.text)
    assert not any("Xylazine" in t.value for t in at.text)


def chart(at, key: str) -> dict:
    """The plotly spec of the chart drawn with ``key``."""
    import json

    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if c.proto.id.endswith(key) or key in c.proto.id:
            return spec
    raise AssertionError(f"no chart {key!r}")


def test_concentration_bands_hand_counted_with_empty_and_suppressed_ones(fixture_db, staff_account):  # noqa: F811
    # fentanyl %: P01 4 | N01 5, P02 6, N04 8 | S01 10, N02 12 | (none 15-20) | S02 20 | (none 25-30) | N03 30
    bands = ["0–5 %", "5–10 %", "10–15 %", "15–20 %", "20–25 %", "25–30 %", "30–35 %"]
    staff = run("concentration", staff=True)
    assert frame(staff, "Band").to_dict("list") == {"Band": bands, "Samples": ["1", "3", "2", "0", "1", "0", "1"]}
    (bar,) = chart(staff, "conc_hist")["data"]
    assert (bar["x"], bar["y"]) == (bands, [1, 3, 2, 0, 1, 0, 1])

    public = run("concentration")
    spec = chart(public, "conc_hist")
    (bar,) = spec["data"]
    assert bar["y"] == [0] * 7 and bar["text"] == ["", "", "", "0", "", "0", ""]
    assert [(a["x"], a["text"]) for a in spec["layout"]["annotations"]] == [
        (b, "<5") for b in bands if b not in ("15–20 %", "25–30 %")]
    assert spec["layout"]["xaxis"]["categoryarray"] == bands


def test_expected_found_names_in_one_casing_and_a_caption_that_matches_the_cells(fixture_db):
    at = run("expected_found", params={"from": "2026-03-09"})
    spec = chart(at, "ef_pairs")
    (heat,) = spec["data"]
    names = heat["x"]
    assert names == [n[:1].upper() + n[1:] for n in names], names  # no 'fentanyl' beside 'Medetomidine'
    assert {"Heroin", "Fentanyl & analogues", "Caffeine"} <= set(names), names
    cells = {c for row in heat["text"] for c in row}
    assert "<5" in cells
    caption = next(c.value for c in at.caption if c.value.startswith("Samples by what was expected"))
    assert caption.endswith("Each cell shows its count, <5 for 1 to 4 samples, or 'suppressed' where its count "
                            "could be worked out from the others.")


def test_expected_found_matrices_have_a_table_for_narrow_screens(fixture_db):
    at = run("expected_found", params={"from": "2026-03-09"})
    # the match table, then each matrix twice: the table a phone shows instead of the heat map, and the one in
    # the expander under the heat map
    frames = [d.value for d in at.dataframe]
    assert len(frames) == 5
    assert frames[1].equals(frames[2]) and frames[3].equals(frames[4])
    html = [h.proto.body for h in at.get("html")]
    assert any("@media (max-width: 639.98px) { [class*='st-key-wide-'] { display: none" in h for h in html), html
    assert any("@media (min-width: 640px) { [class*='st-key-narrow-'] { display: none" in h for h in html), html
