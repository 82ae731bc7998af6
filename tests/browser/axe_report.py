"""`python -m tests.browser.axe_report`: axe-core's violation counts on every page, English and French, desktop and
phone, as the Markdown table in docs/accessibility.md (serious+critical / moderate / minor per cell).

Builds the same fixture app as the browser tests, with one published alert and the demo help directory, signs in
as a reviewer and an admin for the staff pages. tests/browser/test_accessibility.py and
test_staff_accessibility.py are what fail the suite; this prints what the docs report.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import axe, stack, ui
from .screenshots import publish_demo_alert
from .test_accessibility import VIEWPORTS
from .test_pages import PUBLIC
from .test_staff_accessibility import ADMIN, PAGES

MODES = [(lang, device) for lang in ("en", "fr") for device in ("desktop", "phone")]


def counts(violations: list[dict]) -> str:
    """'serious+critical / moderate / minor' node counts."""
    by = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    for v in violations:
        by[v["impact"] or "minor"] += v["count"]
    return f"{by['critical'] + by['serious']} / {by['moderate']} / {by['minor']}"


def main(argv: list[str]) -> int:
    if axe.missing():
        print(axe.missing(), file=sys.stderr)
        return 1
    app = stack.build(Path(tempfile.mkdtemp(prefix="sw-axe-")))
    publish_demo_alert(app)
    stack._run(["-m", "supplywatch", "help-directory", "load", "data/help_directory.csv"], app.env)
    name, role, password = ADMIN
    stack._run(["-m", "supplywatch", "users", "add", name, "--role", role, "--password-stdin"], app.env,
               password + "\n")
    stack.start(app)
    rows: dict[str, list[str]] = {}
    try:
        with stack.chromium() as browser:
            for lang, device in MODES:
                context = browser.new_context(viewport=VIEWPORTS[device], is_mobile=device == "phone",
                                              has_touch=device == "phone")
                context.set_default_timeout(ui.TIMEOUT_MS)
                page = context.new_page()
                for path in PUBLIC:
                    ui.open_page(page, f"{app.url}{path}?lang={lang}")
                    rows.setdefault(path, []).append(counts(axe.run(page)))
                context.close()
                for (user, _role, secret), paths in PAGES.items():
                    context = browser.new_context(viewport=VIEWPORTS[device], is_mobile=device == "phone",
                                                  has_touch=device == "phone")
                    context.set_default_timeout(ui.TIMEOUT_MS)
                    page = context.new_page()
                    ui.sign_in(page, app.url, user, secret)
                    for path in paths:
                        ui.open_page(page, f"{app.url}/{path}?lang={lang}")
                        rows.setdefault("/" + path, []).append(counts(axe.run(page)))
                    context.close()
    finally:
        stack.stop(app)
        stack.stop_playwright()
    print("| page | " + " | ".join(f"{lang.upper()} {device}" for lang, device in MODES) + " |")
    print("|---|" + "---|" * len(MODES))
    for path, cells in rows.items():
        print(f"| `{path}` | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
