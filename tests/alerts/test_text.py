"""Alert text is text: HTML stripped, unsafe links dropped, markdown escaped; the ladder and guidance templates."""

from __future__ import annotations

import pytest

from supplywatch.alerts import text as t


@pytest.mark.parametrize("raw, cleaned", [
    ("<script>alert(1)</script>Carfentanil found", "Carfentanil found"),
    ("<SCRIPT src=//evil.example></SCRIPT>ok", "ok"),
    ("<img src=x onerror=alert(1)>Xylazine", "Xylazine"),
    ("<b>bold</b> and <a href='javascript:alert(1)'>link</a>", "bold and link"),
    ("[click](javascript:alert(1))", "click"),
    ("[x](vbscript:msgbox(1))", "x"),
    ("[d](data:text/html;base64,PHNjcmlwdD4=)", "d"),
    ("![img](javascript:alert(1))", "img"),
    ("<javascript:alert(1)>", ""),
    ("go to javascript:alert(1) now", "go to alert(1) now"),
    ("JaVaScRiPt :alert(1)", "alert(1)"),
    ("see [site](https://example.org/a_(b))", "see site (https://example.org/a_(b))"),
    ("[write](mailto:help@example.org)", "write (mailto:help@example.org)"),
    ("counts < 5 and > 2 & rising", "counts < 5 and > 2 & rising"),
    # angle brackets in plain sentences are kept: only real HTML elements are tags
    ("x<y and y>z", "x<y and y>z"),
    ("Start low (<a quarter point) and wait; doses >0.1 mg hit hard",
     "Start low (<a quarter point) and wait; doses >0.1 mg hit hard"),
    ("<p class=\"x\" data-id='1'>Nitazene</p><br/><BR >found<!DOCTYPE html>", "Nitazenefound"),
    ("<div\nstyle=\"x\">multi-line tag</div>", "multi-line tag"),
    ("line one\r\nline two\x00\u200b", "line one\nline two"),
])
def test_clean_text(raw, cleaned):
    assert t.clean_text(raw) == cleaned


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/alert", True), ("http://example.org", True), ("mailto:help@example.org", True),
    ("tel:+1-800-555-1234", True), ("javascript:alert(1)", False), (" JAVASCRIPT:alert(1)", False),
    ("vbscript:msgbox", False), ("data:text/html,<script>", False), ("java\tscript:alert(1)", False),
    ("ftp://example.org", False), ("https://", False), ("//example.org", False), ("", False),
])
def test_link_allow_list(url, ok):
    assert (t.allowed_link(url) is not None) is ok


def test_escape_markdown_shows_link_syntax_literally():
    assert t.escape_markdown("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert t.escape_markdown("**bold** <b>") == r"\*\*bold\*\* \<b\>"


def test_headline_is_one_line_and_length_limited():
    assert t.check_field("headline", "en", "Two\nlines") == "Two lines"
    with pytest.raises(t.TextError, match=r"^headline \(fr\): 161 characters, at most 160$"):
        t.check_field("headline", "fr", "x" * 161)


@pytest.mark.parametrize("evidence, severity", [
    (t.Evidence(), "information"),
    (t.Evidence(unexpected_actives=2), "information"),
    (t.Evidence(unexpected_actives=3), "caution"),
    (t.Evidence(high_risk_first_detection=True), "caution"),
    (t.Evidence(linked_poisonings=1), "caution"),
    (t.Evidence(linked_poisonings=2), "warning"),
    (t.Evidence(high_risk_unexpected=1), "warning"),
    (t.Evidence(overdose_spike=True, positivity_rise=True), "warning"),
])
def test_severity_ladder(evidence, severity):
    assert t.suggest_severity(evidence)[0] == severity


def test_ladder_lists_every_matching_rule():
    assert t.suggest_severity(t.Evidence(high_risk_first_detection=True, concentration_spike=True)) == (
        "caution",
        ["first detection of a high-risk substance in the region", "fentanyl concentration above its recent baseline"],
    )


def test_guidance_specific_first_then_general_in_both_languages():
    en = t.what_to_do(["fentanyl", "alpha2_sedative"], "en").splitlines()
    assert en[0].startswith("- Carry naloxone")
    assert en[2].startswith("- Sedatives cause long blackouts")
    assert en[-1] == "- In an emergency, call 911."
    fr = t.what_to_do(["stimulant"], "fr").splitlines()
    assert fr[0].startswith("- On trouve des opioïdes dans des stimulants")
    assert len(fr) == 6


def test_guidance_file_per_deployment(tmp_path, monkeypatch):
    path = tmp_path / "guidance.toml"
    path.write_text('[local]\nclasses = []\nen = ["Call 811 <b>now</b>."]\nfr = ["Appelez le 811."]\n', encoding="utf-8")
    monkeypatch.setenv("SUPPLYWATCH_GUIDANCE", str(path))
    assert t.what_to_do(["fentanyl"], "en") == "- Call 811 now."


@pytest.mark.parametrize("body, message", [
    ('[a]\nclasses = []\nen = ["x"]\n', "[a] needs a non-empty list of text lines for 'fr'"),
    ('[a]\nclasses = []\nen = ["x", "y"]\nfr = ["x"]\n', "[a] has 2 English lines but 1 French"),
    ("[a\n", "Expected ']'"),
])
def test_bad_guidance_file_has_one_line_error(tmp_path, body, message):
    path = tmp_path / "g.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(t.TextError) as exc:
        t.load_guidance(path)
    assert str(exc.value).startswith(f"{path}: ") and message in str(exc.value)


def test_every_ladder_reason_has_french():
    from supplywatch import i18n

    fr = i18n.catalogue("fr")
    assert [reason for _sev, _test, reason in t.LADDER if reason not in fr] == []
