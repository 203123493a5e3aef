"""The rules that keep the house in shape, as docs/ARCHITECTURE.md describes them.

Each rule parses the code (imports with :mod:`ast`, including imports inside functions)
and names every offender, so a failure says which line to change.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "geo"
PAGES = ROOT / "pages"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"

#: The packages of geo/ in data-flow order: a module may import from its own layer and
#: earlier ones, never from a later one. views and cli sit on top and may import anything.
LAYERS = {"reference": 0, "intake": 1, "register": 2, "analysis": 3, "output": 4,
          "views": 5, "cli": 5}

#: Top-level modules shared by every layer. They sit below all layers, so they import
#: only each other.
SHARED = {"settings", "errors", "text", "terminal", "private_files", "fields", "vocabulary",
          "auth", "addresses", "limited_read", "logs", "education_places", "activities", "kept"}

#: The only modules that talk to the network (the seam and its request deadline).
NETWORK_MODULES = {"geo/intake/_http.py", "geo/intake/_deadline.py"}
NETWORK_IMPORTS = {"requests", "urllib3", "httpx", "aiohttp", "socket", "ssl", "http.client",
                   "urllib.request"}

#: What a page (or app.py) never imports: it reaches the database and the network only
#: through geo/'s public modules.
PAGE_FORBIDDEN_IMPORTS = {"sqlite3", "requests", "urllib", "urllib3", "httpx", "aiohttp",
                          "socket", "ssl", "http"}

MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300


# --------------------------------------------------------------------------- parsing


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every import in ``path``, at any depth, made absolute.

    ``from a.b import c`` yields ``a.b`` and ``a.b.c`` (c may be a module).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _matches(module: str, names: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def _geo_files() -> list[Path]:
    return sorted(GEO.rglob("*.py"))


def _page_files() -> list[Path]:
    return [ROOT / "app.py", *sorted(PAGES.glob("*.py"))]


def _layer(module: str) -> int | str | None:
    """The layer of a ``geo.…`` module: a number, ``"shared"``, or None when unmapped."""
    top = module.split(".")[1]
    if top in SHARED:
        return "shared"
    return LAYERS.get(top)


def _geo_imports() -> Iterator[tuple[str, int, str]]:
    """``(importer, line, imported)`` for every import of a geo module by a geo module."""
    known = {_module_name(p) for p in _geo_files()} - {"geo"}
    for path in _geo_files():
        importer = _module_name(path)
        if importer == "geo":
            continue
        found = {(line, module) for line, module in _imports(path) if module in known}
        for line, module in sorted(found):
            # ``from geo.output import maps`` names geo.output and geo.output.maps: keep maps
            if not any(other.startswith(module + ".") for at, other in found if at == line):
                yield importer, line, module


# --------------------------------------------------------------------------- rules


def test_geo_never_imports_streamlit():
    offenders = [f"{_rel(p)}:{line} imports {m}" for p in _geo_files()
                 for line, m in _imports(p) if _matches(m, {"streamlit", "streamlit_folium"})]
    assert offenders == []


def test_only_the_http_seam_touches_the_network():
    offenders = [f"{_rel(p)}:{line} imports {m}" for p in _geo_files()
                 if _rel(p) not in NETWORK_MODULES
                 for line, m in _imports(p) if _matches(m, NETWORK_IMPORTS)]
    assert offenders == []


def test_the_network_modules_exist():
    """The allow-list above names real files (a rename must update it)."""
    assert all((ROOT / name).is_file() for name in NETWORK_MODULES)


def test_pages_do_not_talk_to_database_or_network():
    """Pages reach the register and PDOK only through geo/'s public modules."""
    offenders = [f"{_rel(p)}:{line} imports {m}" for p in _page_files()
                 for line, m in _imports(p)
                 if m.split(".")[0] in PAGE_FORBIDDEN_IMPORTS
                 or (m.startswith("geo.") and any(part.startswith("_")
                                                  for part in m.split(".")))]
    assert offenders == []


def test_every_geo_package_and_module_has_a_layer():
    unmapped = sorted({_module_name(p) for p in _geo_files()
                       if _module_name(p) != "geo" and _layer(_module_name(p)) is None})
    assert unmapped == [], "add them to LAYERS or SHARED here and to docs/ARCHITECTURE.md"


def test_no_upward_imports():
    """reference → intake → register → analysis → output → (views, cli); shared below all."""
    offenders = []
    for importer, line, imported in _geo_imports():
        mine, theirs = _layer(importer), _layer(imported)
        if mine is None or theirs is None:
            continue  # reported by test_every_geo_package_and_module_has_a_layer
        if mine == "shared":
            upward = theirs != "shared"
        else:
            upward = theirs != "shared" and theirs > mine
        if upward:
            offenders.append(f"{importer}:{line} imports {imported}")
    assert offenders == []


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_the_size_limit():
    offenders = [f"{_rel(p)}: {_line_count(p)} lines" for p in _geo_files()
                 if _line_count(p) > MAX_MODULE_LINES]
    assert offenders == [], f"split modules over {MAX_MODULE_LINES} lines"


def test_no_class_over_the_size_limit():
    offenders = []
    for path in _geo_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    offenders.append(f"{_rel(path)}:{node.lineno} class {node.name}: {size}")
    assert offenders == [], f"split classes over {MAX_CLASS_LINES} lines"


def test_architecture_doc_names_every_package_and_top_level_module():
    """docs/ARCHITECTURE.md keeps the folder map true."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    packages = sorted(p.parent.name for p in GEO.glob("*/__init__.py"))
    modules = sorted(p.name for p in GEO.glob("*.py") if p.name != "__init__.py")
    missing = ([f"geo/{name}/" for name in packages if not re.search(rf"\b{name}/", text)]
               + [f"geo/{name}" for name in modules if name not in text])
    assert missing == []


# --------------------------------------------------------------------------- session keys


def _keys() -> dict[str, str]:
    """``pages._shared.Keys`` as name → key (read from the source, not imported)."""
    tree = ast.parse((PAGES / "_shared.py").read_text(encoding="utf-8"))
    keys = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Keys")
    return {target.id: node.value.value for node in keys.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for target in node.targets if isinstance(target, ast.Name)}


def _is_session_state(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "session_state") or (
        isinstance(node, ast.Name) and node.id == "session_state")


def _key_expressions(tree: ast.AST) -> Iterator[tuple[int, ast.expr]]:
    """Every expression used as a key of ``st.session_state`` in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_session_state(node.value):
            yield node.lineno, node.slice
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in {"get", "pop", "setdefault"}
              and _is_session_state(node.func.value) and node.args):
            yield node.lineno, node.args[0]
        elif (isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn)
              and _is_session_state(node.comparators[0])):
            yield node.lineno, node.left


def _constants(body: list[ast.stmt]) -> dict[str, ast.expr]:
    return {target.id: node.value for node in body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def _undeclared_use(expr: ast.expr, tree: ast.Module, keys: dict[str, str]) -> str | None:
    """What is wrong with a session key expression, or None when it is ``Keys.NAME``.

    A module constant bound to ``Keys.NAME`` is fine too; a loop variable or another
    computed key is not judged here (it iterates over keys named elsewhere).
    """
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        if expr.value.id == "Keys":
            return None if expr.attr in keys else f"Keys.{expr.attr} is not declared"
        owner = next((n for n in tree.body if isinstance(n, ast.ClassDef)
                      and n.name == expr.value.id), None)
        if owner is not None and expr.attr in _constants(owner.body):
            return f"{expr.value.id}.{expr.attr}, a key of its own"
        return None
    if isinstance(expr, ast.Constant):
        return f"the literal {expr.value!r}"
    if isinstance(expr, ast.Name):
        value = _constants(tree.body).get(expr.id)
        if value is None:
            return None
        problem = _undeclared_use(value, tree, keys)
        return None if problem is None else f"{expr.id} = {problem}"
    return None


def _session_key_offenders(path: Path) -> list[str]:
    keys = _keys()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{_rel(path)}:{line} uses {problem}" for line, expr in _key_expressions(tree)
            if (problem := _undeclared_use(expr, tree, keys)) is not None]


def test_every_session_key_is_named_in_keys():
    """Session-state keys are named in one place: pages/_shared.py's ``Keys``."""
    offenders = [offender for path in _page_files()
                 for offender in _session_key_offenders(path)]
    assert offenders == [], "declare these in pages/_shared.py Keys and use Keys.NAME"


def test_session_keys_are_unique():
    values = list(_keys().values())
    assert len(values) == len(set(values))
