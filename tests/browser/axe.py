"""axe-core (Deque's accessibility engine, installed by `make axe` from npm into .axe/) run inside a page."""

from __future__ import annotations

from pathlib import Path

from .stack import ROOT

AXE_JS = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the level Supply Watch promises.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")


def missing() -> str | None:
    """Why axe cannot run here, or None."""
    return None if Path(AXE_JS).is_file() else f"{AXE_JS} is missing: `make axe` installs axe-core from npm"


def run(page) -> list[dict]:
    """Every violation axe finds on the page as it is now: rule id, impact, help and the first few targets."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
          const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                         targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                                         count: v.nodes.length}));
        }""",
        TAGS,
    )


def blocking(violations: list[dict]) -> list[str]:
    """The serious and critical ones, one readable line each."""
    return [f"{v['impact']} {v['id']} ({v['count']}x): {v['help']} at {v['targets']}"
            for v in violations if v["impact"] in BLOCKING]
