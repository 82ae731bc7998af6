"""Staff accounts: argon2 hashes, roles, slow-down then lockout on a frozen clock, disabled users, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from supplywatch import auth, db, i18n, local_time

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone.utc)
PW = "correct horse battery"
pytestmark = pytest.mark.usefixtures("app_backend")  # accounts on the app file and in PostgreSQL alike


def sec(n):
    return NOW + dt.timedelta(seconds=n)


@pytest.fixture
def pat(isolated_db, cheap_hashes):
    return auth.add_user("Pat", "poster", PW, actor="ada", now=NOW)


def test_password_is_stored_as_argon2_hash_only(pat):
    with db.app_connection() as con:
        stored = con.execute("SELECT password_hash FROM users WHERE username = 'pat'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert PW not in stored
    assert pat.username == "pat" and pat.role == "poster"


def test_right_password_signs_in_and_is_audited(pat):
    user = auth.authenticate("PAT", PW, NOW)
    assert user.username == "pat"
    assert [(r["action"], r["actor"], r["detail"]) for r in auth.account_audit("pat")][0] == ("sign_in", "pat", "role=poster")


@pytest.mark.parametrize(
    "name, password, message",
    [
        ("pat", "wrong password!", "Wrong username or password."),
        ("nobody", PW, "Wrong username or password."),
    ],
)
def test_wrong_password_and_unknown_user_get_the_same_message(pat, name, password, message):
    with pytest.raises(auth.AuthError) as exc:
        auth.authenticate(name, password, NOW)
    assert str(exc.value) == message


@pytest.mark.parametrize("lang, message", [
    ("en", "Too many wrong passwords: this account is locked until 4:05\u202fp.m. PST."),
    ("fr", "Trop de mots de passe erronés : ce compte est verrouillé jusqu'à 16 h 05 HNP."),
])
def test_lockout_names_the_time_on_the_deployments_clock(pat, monkeypatch, lang, message):
    # five wrong passwords a minute apart, the fifth at 23:50 UTC on 27 November, lock until 00:05 UTC on the 28th:
    # 4:05 p.m. on the 27th in Vancouver (PST, UTC-8), never "00:05 UTC"
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    for minute in range(46, 51):
        with pytest.raises(auth.AuthError) as exc:
            auth.authenticate("pat", "nope nope nope", dt.datetime(2026, 11, 27, 23, minute, tzinfo=dt.timezone.utc))
    assert auth.get_user("pat").locked_until == dt.datetime(2026, 11, 28, 0, 5)
    assert exc.value.translated(i18n.translator(lang), lang) == message


def test_repeated_failures_slow_down_then_lock_for_15_minutes(pat, monkeypatch):
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")  # 08:15 UTC on 27 November is 00:15 PST (UTC-8)

    def attempt(at, password="nope nope nope"):
        with pytest.raises(auth.AuthError) as exc:
            auth.authenticate("pat", password, at)
        return str(exc.value)

    assert attempt(sec(0)) == "Wrong username or password."  # 1st: no delay
    assert attempt(sec(0)) == "Wrong username or password."  # 2nd: next try after 1 s
    assert attempt(sec(0.5)) == "Too many wrong passwords: wait 1 seconds and try again."
    # even the right password is not checked during the slow-down
    assert attempt(sec(0.5), PW) == "Too many wrong passwords: wait 1 seconds and try again."
    assert attempt(sec(1)) == "Wrong username or password."  # 3rd: 2 s
    assert attempt(sec(2)) == "Too many wrong passwords: wait 1 seconds and try again."
    assert attempt(sec(3)) == "Wrong username or password."  # 4th: 4 s
    assert attempt(sec(5)) == "Too many wrong passwords: wait 2 seconds and try again."
    assert attempt(sec(7)) == "Too many wrong passwords: this account is locked until 12:15\u202fa.m. PST."  # 5th
    assert attempt(sec(60), PW) == "Too many wrong passwords: this account is locked until 12:15\u202fa.m. PST."
    assert auth.get_user("pat").locked_until == dt.datetime(2026, 11, 27, 8, 15, 7)
    # after the lock the right password works and the counter starts again
    assert auth.authenticate("pat", PW, sec(15 * 60 + 7)).failed_count == 0
    actions = [r["action"] for r in reversed(auth.account_audit("pat"))]
    assert actions == [
        "user_added", "sign_in_failed", "sign_in_failed", "sign_in_refused", "sign_in_refused", "sign_in_failed",
        "sign_in_refused", "sign_in_failed", "sign_in_refused", "account_locked", "sign_in_refused", "sign_in",
    ]


def test_admin_reset_clears_a_lock(pat):
    for i in range(5):
        with pytest.raises(auth.AuthError):
            auth.authenticate("pat", "nope nope nope", sec(10 * i))
    auth.reset_password("pat", "a brand new password", actor="ada", now=sec(60))
    assert auth.authenticate("pat", "a brand new password", sec(61)).username == "pat"


def test_disabled_user_cannot_sign_in_and_loses_access(pat):
    assert auth.current_user("pat", "poster").username == "pat"
    auth.set_disabled("pat", True, actor="ada", now=NOW)
    with pytest.raises(auth.AuthError, match=r"^This account is disabled\. Ask an admin\.$"):
        auth.authenticate("pat", PW, NOW)
    assert auth.current_user("pat", "poster") is None
    auth.set_disabled("pat", False, actor="ada", now=NOW)
    assert auth.current_user("pat") is not None


def test_role_change_is_audited_and_takes_effect(pat):
    assert auth.current_user("pat", "reviewer") is None
    auth.set_role("pat", "reviewer", actor="ada", now=NOW)
    assert auth.current_user("pat", "reviewer").role == "reviewer"
    row = auth.account_audit("pat")[0]
    assert (row["actor"], row["action"], row["detail"]) == ("ada", "role_changed", "poster->reviewer")


@pytest.mark.parametrize("role, allowed, expected", [
    ("poster", ("reviewer",), False), ("reviewer", ("reviewer",), True), ("admin", ("reviewer",), True),
    ("admin", ("poster",), True), (None, ("poster",), False), ("poster", ("poster", "reviewer"), True),
])
def test_admin_holds_every_staff_role(role, allowed, expected):
    assert auth.has_role(role, *allowed) is expected


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: auth.add_user("pat", "poster", PW, "ada", NOW), "user 'pat' already exists"),
        (lambda: auth.add_user("x y", "poster", PW, "ada", NOW), "invalid username 'x y'"),
        (lambda: auth.add_user("sam", "boss", PW, "ada", NOW), "invalid role 'boss': choose one of poster, reviewer, admin"),
        (lambda: auth.add_user("sam", "poster", "short", "ada", NOW), "password too short: at least 10 characters"),
        (lambda: auth.set_role("nobody", "admin", "ada", NOW), "no such user 'nobody'"),
    ],
)
def test_account_changes_refused_with_clear_messages(pat, call, message):
    with pytest.raises(auth.AuthError) as exc:
        call()
    assert str(exc.value).startswith(message)


def test_bootstrap_admin_only_when_no_account_exists(isolated_db, cheap_hashes):
    assert auth.bootstrap_admin(None, None, NOW) is None
    assert auth.bootstrap_admin("root", "a long secret pw", NOW).role == "admin"
    assert auth.bootstrap_admin("other", "a long secret pw", NOW) is None
    assert [u.username for u in auth.list_users()] == ["root"]
