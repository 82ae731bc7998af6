"""Streamlit stays in its glue: supplywatch/web/ (and views.py, which re-exports it) imports it, and of the domain
only those import supplywatch/web/ (the rest stays testable without Streamlit; docs/architecture.md)."""

from __future__ import annotations

import ast

from tests.test_import_graph import ROOT, import_graph, project_modules

# Streamlit glue outside supplywatch/web/: only the names pages call (views re-exports the glue's).
GLUE = {"supplywatch.views"}


def in_glue(module: str) -> bool:
    return module in GLUE or module == "supplywatch.web" or module.startswith("supplywatch.web.")


def imports_streamlit(path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any((isinstance(n, ast.Import) and any(a.name.split(".")[0] == "streamlit" for a in n.names))
               or (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "streamlit")
               for n in ast.walk(tree))


def test_only_the_glue_imports_streamlit():
    wrong = sorted(str(p.relative_to(ROOT)) for m, p in project_modules().items()
                   if m.startswith("supplywatch") and not in_glue(m) and imports_streamlit(p))
    assert wrong == [], "Streamlit outside the glue (move it into supplywatch/web/):\n" + "\n".join(wrong)


def test_the_domain_never_imports_the_glue():
    wrong = sorted(f"{m}:{line} imports {target}" for m, edges in import_graph().items()
                   if m.startswith("supplywatch") and not in_glue(m)
                   for target, line in edges.items() if in_glue(target))
    assert wrong == [], "\n".join(wrong)
