"""AppTest flows: sign-in, drafting to publishing across two people, refusals audited, the public board."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import auth
from supplywatch.web import session
from supplywatch.alerts import store

PAGES = "../../app_pages/"
PW = "correct horse battery"


@pytest.fixture
def clock(monkeypatch, now):
    """Pages read the time through session.now(); freeze it and let tests move it."""
    state = {"now": now}
    monkeypatch.setattr(session, "now", lambda: state["now"])
    return state


def page(name, user=None, lang="en"):
    at = AppTest.from_file(PAGES + name, default_timeout=60)
    if user:
        at.session_state["sw_user"] = {"username": user, "role": auth.get_user(user).role}
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, label):
    [b for b in at.button if b.label == label][0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at):
    return "\n".join([*(m.value for m in at.markdown), *(t.value for t in at.text), *(c.value for c in at.caption)])


def test_sign_in_wrong_then_right_password(staff, clock):
    at = page("sign_in.py")
    at.text_input(key="sign_in_username").input("pat")
    at.text_input(key="sign_in_password").input("wrong password")
    at = click(at, "Sign in")
    assert [e.value for e in at.error] == ["Wrong username or password."]
    assert "sw_user" not in at.session_state
    at.text_input(key="sign_in_password").input(PW)
    at = click(at, "Sign in")
    assert at.session_state["sw_user"] == {"username": "pat", "role": "poster"}
    assert at.success[0].value == "Signed in as pat (Poster)."
    at = click(at, "Sign out")
    assert "sw_user" not in at.session_state
    assert [r["action"] for r in auth.account_audit("pat")][:3] == ["sign_out", "sign_in", "sign_in_failed"]


def test_sign_in_error_in_french(staff, clock):
    at = page("sign_in.py", lang="fr")
    at.text_input(key="sign_in_username").input("pat")
    at.text_input(key="sign_in_password").input("wrong password")
    at = click(at, "Se connecter")
    assert [e.value for e in at.error] == ["Nom d'utilisateur ou mot de passe incorrect."]


def test_bootstrap_admin_from_environment(isolated_db, cheap_hashes, clock, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_ADMIN_USER", "root")
    monkeypatch.setenv("SUPPLYWATCH_ADMIN_PASSWORD", "a long secret password")
    at = page("sign_in.py")
    assert at.info[0].value == "The first admin account was created from the deployment secrets."
    assert auth.get_user("root").role == "admin"


@pytest.mark.parametrize("name, user, message", [
    ("staff_alerts.py", None, "This page is for staff. Sign in with a staff account first (Staff sign-in in the menu)."),
    ("admin_users.py", None, "This page is for staff. Sign in with a staff account first (Staff sign-in in the menu)."),
    ("admin_users.py", "rae", "Your account does not have access to this page."),
    ("signals.py", None, "This page is for staff. Sign in with a staff account first (Staff sign-in in the menu)."),
])
def test_refused_access_is_shown_and_audited(staff, clock, name, user, message):
    at = page(name, user)
    shown = [*(w.value for w in at.warning), *(e.value for e in at.error)]
    assert shown == [message]
    assert not at.title
    refused = [r for r in auth.account_audit() if r["action"] == "access_refused"]
    assert (refused[0]["actor"], refused[0]["detail"].split(" needs ")[0]) == (user, name.removesuffix(".py"))


def test_disabled_user_loses_the_page_at_once(staff, clock):
    at = page("staff_alerts.py", "pat")
    assert at.title[0].value == "Draft and review alerts"
    auth.set_disabled("pat", True, "ada", clock["now"])
    at.run()
    assert not at.title and "sw_user" not in at.session_state


def fill_draft(at, headline, fr):
    at.text_input(key="new_regions").input("Victoria")
    at.text_input(key="new_substances").input("carfentanil")
    at.text_area(key="new_evidence").input("sample S-1 2026-11-25\nsample S-2 2026-11-26")
    at.text_input(key="new_en_headline").input(headline)
    at.text_area(key="new_en_details").input("Two samples sold as fentanyl had carfentanil.")
    at.text_input(key="new_fr_headline").input(fr)
    at.multiselect(key="new_guidance").select("fentanyl")
    return click(at, "Save draft")


def test_poster_drafts_reviewer_approves_board_and_feeds(staff, clock, isolated_db):
    at = page("staff_alerts.py", "pat")
    at = fill_draft(at, "Carfentanil in down sold as fentanyl <script>alert(1)</script>",
                    "Carfentanil dans du down vendu comme fentanyl")
    assert at.success[0].value == "Draft saved."
    draft = store.get("SW-2026-0001")
    assert draft.text["en"].headline == "Carfentanil in down sold as fentanyl"
    assert draft.text["fr"].what_to_do.startswith("- Ayez de la naloxone")  # filled from the templates
    at = click(at, "Submit for review")
    assert at.success[0].value == "Submitted for review."
    assert not [b for b in at.button if b.label == "Approve and publish"]  # a poster cannot approve

    clock["now"] += dt.timedelta(minutes=5)
    rev = page("staff_alerts.py", "rae")
    rev = click(rev, "Approve and publish")
    assert rev.success[0].value == "Published."
    assert store.get("SW-2026-0001").status == "published"

    board = page("alerts_board.py")
    assert "Carfentanil in down sold as fentanyl" in texts(board)
    assert "⊘" not in texts(board) and "⚠ CAUTION" in texts(board)
    board_fr = page("alerts_board.py", lang="fr")
    assert "Carfentanil dans du down vendu comme fentanyl" in texts(board_fr)

    public = isolated_db.parent / "public"
    atom = (public / "feeds" / "alerts.atom").read_text(encoding="utf-8")
    assert "Carfentanil in down sold as fentanyl" in atom
    feed = json.loads((public / "feeds" / "alerts-fr.json").read_text(encoding="utf-8"))
    assert "Carfentanil dans du down vendu comme fentanyl" in json.dumps(feed, ensure_ascii=False)
    for name in ("cap/SW-2026-0001-v1.xml", "sms/SW-2026-0001-v1-en.txt", "sms/SW-2026-0001-v1-fr.txt",
                 "posters/SW-2026-0001-v1-en.pdf", "posters/SW-2026-0001-v1-fr.pdf"):
        assert (public / name).is_file(), name


@pytest.mark.parametrize("lang, button, message", [
    ("en", "Approve and publish", "You wrote this version: another reviewer must approve it (two-person rule)."),
    ("fr", "Approuver et publier", "Vous avez rédigé cette version : une autre personne de la révision doit "
                                   "l'approuver (règle des deux personnes)."),
])
def test_author_cannot_self_approve_on_the_page(staff, clock, lang, button, message):
    a = store.create_draft(text={"en": {"headline": "Xylazine in down.", "details": "", "what_to_do": "Carry naloxone."},
                                 "fr": {"headline": "Xylazine dans le down.", "details": "", "what_to_do": "Naloxone."}},
                           severity="caution", regions=["Victoria"], actor="rae", now=clock["now"])
    store.submit_for_review(a.alert_id, "rae", clock["now"])
    at = page("staff_alerts.py", "rae", lang=lang)
    assert button not in [b.label for b in at.button]  # the store refuses it too (tests/security/test_authorship.py)
    assert message in [c.value for c in at.caption]
    assert store.get(a.alert_id).status == "in_review"


@pytest.fixture
def live_alert(staff, clock, published_calls, make_text):
    a = store.create_draft(text=make_text(), severity="warning", regions=["Victoria"], actor="pat",
                           now=clock["now"], expires_at=clock["now"] + dt.timedelta(hours=6))
    store.submit_for_review(a.alert_id, "pat", clock["now"])
    return store.approve(a.alert_id, "rae", clock["now"])


def test_retraction_on_the_page_moves_alert_to_history(live_alert, clock):
    at = page("staff_alerts.py", "rob")
    at.text_input(key="why_SW-2026-0001").input("Lab result: fentanyl, not carfentanil.")
    at = click(at, "Retract")
    assert at.success[0].value == "Retracted."
    board = page("alerts_board.py")
    active_tab, history_tab = board.tabs
    assert [i.value for i in active_tab.info] == ["No active alerts for this area right now."]
    history = "\n".join(m.value for m in history_tab.markdown)
    assert "WARNING · RETRACTED" in history and r"Retracted\: Lab result\: fentanyl, not carfentanil\." in history


def test_expiry_with_frozen_clock_leaves_board(live_alert, clock):
    board = page("alerts_board.py")
    assert "Carfentanil found in down sold as fentanyl" in "\n".join(m.value for m in board.tabs[0].markdown)
    clock["now"] += dt.timedelta(hours=6)
    board = page("alerts_board.py")
    assert [i.value for i in board.tabs[0].info] == ["No active alerts for this area right now."]
    assert "EXPIRED" in "\n".join(m.value for m in board.tabs[1].markdown)
    assert store.get(live_alert.alert_id).status == "expired"


def test_board_views_do_not_write_the_app_file_until_an_alert_is_due(live_alert, clock, monkeypatch):
    from supplywatch.app_version import APP_VERSION

    calls = []
    real = store.expire_due
    monkeypatch.setattr(store, "expire_due", lambda now: calls.append(now) or real(now))
    version = APP_VERSION.token()
    for _ in range(3):
        page("alerts_board.py")
        clock["now"] += dt.timedelta(hours=1)
    assert calls == [] and APP_VERSION.token() == version  # 3 views before expiry: nothing written
    clock["now"] += dt.timedelta(hours=3)  # now past the 6-hour expiry
    board = page("alerts_board.py")
    assert len(calls) == 1 and store.get(live_alert.alert_id).status == "expired"
    assert "EXPIRED" in "\n".join(m.value for m in board.tabs[1].markdown)
    page("alerts_board.py")
    assert len(calls) == 1  # recorded once; later views read the new version from the cache


def test_board_never_renders_live_script_or_unsafe_link(staff, clock, published_calls):
    a = store.create_draft(
        text={"en": {"headline": "Nitazene <img src=x onerror=alert(1)> found.",
                     "details": "[click](javascript:alert(1)) **bold** <b>x</b> [ok](https://example.org)",
                     "what_to_do": "[v](vbscript:msgbox) [d](data:text/html;base64,xx)"},
              "fr": {"headline": "Nitazène trouvé.", "details": "", "what_to_do": "Naloxone."}},
        severity="warning", regions=["Victoria"], actor="pat", now=clock["now"], links=["https://example.org/a"])
    store.submit_for_review(a.alert_id, "pat", clock["now"])
    store.approve(a.alert_id, "rae", clock["now"])
    board = page("alerts_board.py")
    md = "\n".join(m.value for m in board.markdown)
    assert "javascript" not in md and "vbscript" not in md and "data:" not in md
    assert "<img" not in md and "<b>" not in md and "onerror" not in md
    assert r"\*\*bold\*\*" in md  # markdown syntax from alert text is shown, not applied
    # allowed link: a link button (an element taking a URL), label escaped, target kept
    assert ("https\u2060\\://example\\.org/a", "https://example.org/a") in [
        (b.proto.label, b.proto.url) for b in board.get("link_button")]


def test_admin_adds_user_and_changes_role(staff, clock):
    at = page("admin_users.py", "ada")
    at.text_input(key="add_name").input("sam")
    at.selectbox(key="add_role").select("poster")
    at.text_input(key="add_password").input("a long password 9")
    at = click(at, "Add account")
    assert at.success[0].value == "Account added."
    at.selectbox(key="change_who").select("sam")
    at.selectbox(key="change_role").select("reviewer")
    at = click(at, "Change role")
    assert auth.get_user("sam").role == "reviewer"
    row = auth.account_audit("sam")[0]
    assert (row["actor"], row["action"], row["detail"]) == ("ada", "role_changed", "poster->reviewer")


def test_deep_link_from_feeds_and_posters_shows_that_alert(live_alert, clock):
    at = AppTest.from_file(PAGES + "alerts_board.py", default_timeout=60)
    at.query_params["alert"] = live_alert.alert_id
    at.run()
    assert at.header[0].value == "Alert SW-2026-0001"
    assert "Carfentanil found in down sold as fentanyl" in at.markdown[1].value + at.markdown[2].value


def test_board_csv_download_is_public_fields_only(live_alert, clock):
    board = page("alerts_board.py")
    body = store.alerts_csv(store.active_alerts(clock["now"])).decode("utf-8-sig")
    assert body.splitlines()[0] == ("alert_id,version,status,msg_type,severity,regions,substances,published_at,"
                                    "expires_at,headline,details,what_to_do")
    assert board.get("download_button")[0].proto.label == "Download alerts (CSV)"


def test_bootstrap_admin_from_streamlit_secrets(isolated_db, cheap_hashes, clock, monkeypatch):
    monkeypatch.delenv("SUPPLYWATCH_ADMIN_USER", raising=False)
    monkeypatch.delenv("SUPPLYWATCH_ADMIN_PASSWORD", raising=False)
    at = AppTest.from_file(PAGES + "sign_in.py", default_timeout=60)
    at.secrets["SUPPLYWATCH_ADMIN_USER"] = "keeper"
    at.secrets["SUPPLYWATCH_ADMIN_PASSWORD"] = "a long secret password"
    at.run()
    assert at.info[0].value == "The first admin account was created from the deployment secrets."
    assert auth.get_user("keeper").role == "admin"
    assert auth.account_audit("keeper")[0]["actor"] == "bootstrap"


def test_staff_list_hides_retracted_until_asked(live_alert, clock):
    store.retract(live_alert.alert_id, "rae", "Wrong site.", clock["now"])
    at = page("staff_alerts.py", "rob")
    assert [i.value for i in at.info] == ["No alerts yet."]
    at.checkbox(key="staff_show_past").check()
    at.run()
    assert "Retracted · Warning · SW-2026-0001@2" in texts(at)


@pytest.mark.parametrize("public_url, lang, warning", [
    (None, "en", None),  # make run's http://localhost:8501/public: both links fit
    ("https://alerts.example-region.org/p/public", "en", None),  # 42 characters: both fit
    ("https://alerts.example-region.org/p/publicx", "en",  # 43: the French page address is 71 > 70
     "SMS in French will go out without the link to the alert's own page"),
    ("https://alerts.example-region.org/p/publicx", "fr",
     "Les SMS en français partiront sans le lien vers la page de l'alerte"),
    ("https://alerts.example-region.org/p/public/xyz", "en",  # 46: the English one (68 + 3) no longer fits either
     "SMS in English, French will go out without the link to the alert's own page"),
])
def test_staff_are_told_when_an_sms_will_go_out_without_its_link(staff, clock, monkeypatch, public_url, lang,
                                                                  warning):
    if public_url:
        monkeypatch.setenv("SUPPLYWATCH_PUBLIC_URL", public_url)
    else:
        monkeypatch.delenv("SUPPLYWATCH_PUBLIC_URL", raising=False)
    monkeypatch.delenv("SUPPLYWATCH_BASE_URL", raising=False)
    at = page("staff_alerts.py", "rae", lang=lang)
    shown = [w.value for w in at.warning if "SMS" in w.value]
    if warning is None:
        assert shown == []
    else:
        assert len(shown) == 1 and shown[0].startswith(warning), shown
        assert "SUPPLYWATCH_PUBLIC_URL" in shown[0] and "42" in shown[0]
