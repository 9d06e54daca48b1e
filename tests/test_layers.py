"""Layering: the engine imports no web framework, ORM or CLI library; ``import baomi`` is inert;
baomi's own packages import one another downwards only, and no modules import one another in a
circle (DESIGN.md "Layers", issue 11)."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import baomi
import baomi.engine

FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "alembic", "typer", "click", "rich", "jinja2")


def _engine_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(baomi.engine.__path__, prefix="baomi.engine.")
        if ".prose.train" not in m.name
    ]


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout


def test_engine_imports_no_web_orm_or_cli_library() -> None:
    modules = _engine_modules()
    assert len(modules) > 5
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in {FORBIDDEN!r})))\n"
    )
    assert json.loads(_run(code)) == []


def test_import_baomi_does_no_work() -> None:
    code = (
        "import logging, sys\n"
        "before = set(sys.modules)\n"
        "import baomi\n"
        "new = sorted(m for m in set(sys.modules) - before if not m.startswith('baomi'))\n"
        "print(new); print(logging.getLogger().handlers); print(logging.getLogger('baomi').handlers)\n"
        "print([m for m in sys.modules if m.startswith('baomi')])\n"
    )
    lines = _run(code).splitlines()
    assert lines[0] == "[]", "import baomi imported other modules"
    assert lines[1] == "[]" and lines[2] == "[]", "import baomi attached a logging handler"
    assert lines[3] == "['baomi']", "import baomi imported its subpackages"


# --- the order of baomi's own packages ------------------------------------------------------

SRC = Path(baomi.__file__).parent
#: What the engine, a pure library, must not import (DESIGN.md "Layers").
ABOVE_ENGINE = ("baomi.services", "baomi.storage", "baomi.cli", "baomi.web", "baomi.api")
ABOVE_ENGINE += ("baomi.demo", "baomi.settings")


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _import_graph() -> dict[str, set[str]]:
    """Module → the baomi modules it imports, read with ``ast`` from the source: imports at
    module level and inside functions (a lazy import is still an arrow), relative ones resolved;
    ``from package import name`` is an arrow to the submodule when ``name`` is one."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.add(sub if sub in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _unit(module: str) -> str:
    """The package a module belongs to for the package order: ``baomi.engine.<x>`` in the engine
    (``baomi.engine.scan``, ``baomi.engine.readers``, ``baomi.engine.columns``), else
    ``baomi.<x>``."""
    parts = module.split(".")
    return ".".join(parts[:3] if parts[1:2] == ["engine"] else parts[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _arrows(prefix: str) -> list[tuple[str, str]]:
    """(importer, imported) for every import by a module under ``prefix``."""
    return [
        (m, t)
        for m, targets in sorted(_import_graph().items())
        for t in sorted(targets)
        if m == prefix or m.startswith(prefix + ".")
    ]


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_import_graph_is_read_from_the_source() -> None:
    graph = _import_graph()
    assert "baomi.engine.scan.run" in graph["baomi.engine.scan"]
    assert "baomi.engine.protect.writers" in graph["baomi.engine.protect.package"]
    # a function-level import is an arrow too (``scan_leftovers`` runs the scan)
    assert "baomi.engine.scan" in graph["baomi.engine.protect.verify"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_modules_import_one_another_in_a_circle() -> None:
    """Module level and function level alike: a lazy import that closes a circle is still one
    (``address`` ↔ ``person_name``, ``decoder`` ↔ ``model``, scan ↔ protect were)."""
    assert _cycles(_import_graph()) == []


def test_no_packages_import_one_another_in_a_circle() -> None:
    packages: dict[str, set[str]] = {}
    for m, targets in _import_graph().items():
        packages.setdefault(_unit(m), set()).update(
            _unit(t) for t in targets if _unit(t) != _unit(m)
        )
    assert _cycles(packages) == []


def test_the_engine_imports_no_layer_above_it() -> None:
    bad = [(m, t) for m, t in _arrows("baomi.engine") if t.startswith(ABOVE_ENGINE)]
    assert bad == []


SCAN, PROTECT = "baomi.engine.scan", "baomi.engine.protect"


def test_the_lower_engine_imports_neither_scan_nor_protect() -> None:
    """The document layer, readers, recognizers, classification, masking, checksums … are
    below both."""
    bad = [
        (m, t)
        for m, t in _arrows("baomi.engine")
        if not (_under(m, SCAN) or _under(m, PROTECT)) and (_under(t, SCAN) or _under(t, PROTECT))
    ]
    assert bad == []


def test_the_scan_does_not_import_protect() -> None:
    """The scan's display masking of names comes from ``engine/masking.py``, below both."""
    assert [(m, t) for m, t in _arrows(SCAN) if _under(t, PROTECT)] == []


def test_protect_uses_only_the_public_scan() -> None:
    """Protect (``--verify``'s scan view) may run the scan, through ``baomi.engine.scan`` and
    its exported names only, never one of its modules."""
    bad = [(m, t) for m, t in _arrows("baomi.engine.protect") if _under(t, SCAN) and t != SCAN]
    assert bad == []
