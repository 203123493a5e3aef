"""Architecture rules that keep the code shaped as CONVENTIONS.md describes."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_geo_never_imports_streamlit():
    offenders = [p.name for p in (ROOT / "geo").rglob("*.py")
                 if {"streamlit", "streamlit_folium"} & _imports(p)]
    assert offenders == []


def test_only_http_module_touches_the_network():
    offenders = [p.name for p in (ROOT / "geo").rglob("*.py")
                 if {"requests", "urllib3", "httpx"} & _imports(p) and p.name != "_http.py"]
    assert offenders == []


def test_pages_do_not_talk_to_database_or_network():
    offenders = [p.name for p in (ROOT / "pages").glob("*.py")
                 if {"sqlite3", "requests", "urllib", "httpx"} & _imports(p)]
    assert offenders == []
