"""The rules of docs/architecture.md that a machine can check: no import cycle (module
level and function-local imports alike), no function-local import of a project module
(but the few lazy ones kept for start-up time, listed here), no room importing a room it
must not know, no module much over 600 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "release_publisher"

#: Function-local imports of project modules kept on purpose, for start-up time: the CLI
#: imports the command module (most of the package) only for publish/check, after it
#: started hashing the artifacts, and the emulator (werkzeug) only for ``sandbox``; the
#: command loads the HTTP client (requests), the release stages and the wire trace only
#: in ``publish`` (``check`` starts faster).
LAZY_ALLOWED = {
    ("release_publisher.cli", "release_publisher.command"),
    ("release_publisher.cli", "release_publisher.sandbox"),
    ("release_publisher.cli", "release_publisher.sandbox.cli"),
    ("release_publisher.command", "release_publisher.release"),
    ("release_publisher.command", "release_publisher.release.flow"),
    ("release_publisher.command", "release_publisher.marketplace.trace"),
    ("release_publisher.command", "release_publisher.marketplace.client"),
    ("release_publisher.command", "release_publisher.marketplace.transport"),
}

#: room -> rooms it must never import (docs/architecture.md, "must not know").
FORBIDDEN = {
    "release_publisher.marketplace": (
        "release_publisher.release",
        "release_publisher.hosts",
        "release_publisher.cli",
        "release_publisher.command",
        "release_publisher.config",
        "release_publisher.sandbox",
    ),
    "release_publisher.release": (
        "release_publisher.hosts",
        "release_publisher.cli",
        "release_publisher.command",
        "release_publisher.sandbox",
        "release_publisher.marketplace.client",
        "release_publisher.marketplace.transport",
        "requests",
        "urllib3",
    ),
    "release_publisher.config": (
        "release_publisher.marketplace",
        "release_publisher.release",
        "release_publisher.hosts",
        "release_publisher.cli",
        "release_publisher.command",
        "release_publisher.preflight",
    ),
    "release_publisher.preflight": (
        "release_publisher.marketplace",
        "release_publisher.release",
        "release_publisher.hosts",
        "release_publisher.cli",
        "release_publisher.command",
    ),
    "release_publisher.hosts": (
        "release_publisher.marketplace",
        "release_publisher.release",
        "release_publisher.cli",
        "release_publisher.command",
        "requests",
    ),
    "release_publisher.sandbox": (
        "release_publisher.marketplace",
        "release_publisher.release",
        "release_publisher.hosts",
        "release_publisher.cli",
        "release_publisher.command",
        "release_publisher.config",
    ),
    "release_publisher.result": ("release_publisher.release", "release_publisher.hosts"),
    "release_publisher.settings": (
        "release_publisher.config",
        "release_publisher.marketplace",
        "release_publisher.release",
    ),
}

MAX_LINES = 650  # "about 600": a module past this is two jobs


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[str, bool]]:
    """(imported module, is function-local) for every import in ``path``."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    local.add(id(inner))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in local
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if _is_type_checking_only(tree, node):
                continue
            yield target, id(node) in local
            for alias in node.names:  # `from . import errors` imports a module
                candidate = f"{target}.{alias.name}"
                if _exists(candidate):
                    yield candidate, id(node) in local


def _is_type_checking_only(tree: ast.Module, node: ast.AST) -> bool:
    for stmt in ast.walk(tree):
        if (
            isinstance(stmt, ast.If)
            and isinstance(stmt.test, ast.Name)
            and stmt.test.id == "TYPE_CHECKING"
            and any(node is inner for body in stmt.body for inner in ast.walk(body))
        ):
            return True
    return False


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:]) if module.startswith("release_publisher.") else None
    if rel is None:
        return False
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        graph[name] = {
            target
            for target, _ in _imports(path)
            if target.startswith("release_publisher") and target != name and _exists(target)
        }
    return graph


def test_no_import_cycle() -> None:
    graph = _graph()
    # An import of `a.b.c` also runs `a.b/__init__`: a package importing its own
    # submodules is not a cycle, so edges into a package's own __init__ are ignored.
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if node.startswith(nxt + "."):
                continue
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_function_local_import_of_a_project_module() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        for target, is_local in _imports(path):
            local = is_local and target.startswith("release_publisher")
            if local and (name, target) not in LAZY_ALLOWED:
                found.append(f"{name} imports {target} inside a function")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_rooms_import_only_what_they_may_know(room: str) -> None:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        if name != room and not name.startswith(room + "."):
            continue
        for target, _ in _imports(path):
            for banned in FORBIDDEN[room]:
                if target == banned or target.startswith(banned + "."):
                    bad.append(f"{name} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_module_is_two_jobs_long() -> None:
    long = [
        f"{path.relative_to(PACKAGE.parent)}: {n} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "\n".join(long)
