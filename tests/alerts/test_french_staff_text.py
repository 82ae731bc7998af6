"""Staff pages in French name roles in French and use French placeholders (no English left for a French team)."""

from __future__ import annotations

from .test_pages import PW, clock, click, page  # noqa: F401 (clock is a fixture)


def test_signed_in_role_is_named_in_french(staff, clock):
    at = page("sign_in.py", lang="fr")
    at.text_input(key="sign_in_username").input("pat")
    at.text_input(key="sign_in_password").input(PW)
    at = click(at, "Se connecter")
    assert at.success[0].value == "Connecté·e en tant que pat (Rédaction)."


def test_staff_alerts_caption_and_guidance_placeholder_in_french(staff, clock):
    at = page("staff_alerts.py", "rae", lang="fr")
    assert "Connecté·e en tant que rae (Révision)." in [c.value for c in at.caption]
    assert {m.placeholder for m in at.multiselect} == {"Choisir des options"}


def test_account_audit_columns_in_french(staff, clock):
    at = page("admin_users.py", "ada", lang="fr")
    audit = at.dataframe[-1].value
    assert list(audit.columns) == ["Quand", "Par", "Action", "Compte", "Détail"]  # each time names its zone
    assert len(audit) >= 1
