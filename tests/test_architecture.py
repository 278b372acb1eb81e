"""The layout of kb/ (docs/architecture.md): every module belongs to a step of the pipeline, a step imports only
itself and the steps below it, and no two packages import each other, counting imports inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KB = Path(__file__).resolve().parent.parent / "kb"

# The steps, lowest first; a module may import its own step and any step with a lower rank. `publishing` and
# `remote` share a rank: neither may import the other.
RANKS = {
    "kb": 0,  # namespaces, resources, files, terms: what every step shares
    "kb.records": 1,
    "kb.reasoning": 2,
    "kb.checking": 3,
    "kb.asking": 4,
    "kb.reports": 5,
    "kb.publishing": 6,
    "kb.remote": 6,
    "kb.cli": 7,  # the command: the argument table (kb/cli.py) and what each subcommand does (kb/commands.py)
}
COMMAND = {"kb.cli", "kb.commands"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(KB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _step(module: str) -> str:
    """The step a module belongs to: its subpackage, `kb` for the shared top-level modules, `kb.cli` for the command."""
    if module in COMMAND:
        return "kb.cli"
    parts = module.split(".")
    if len(parts) >= 2 and f"kb.{parts[1]}" in RANKS and (KB / parts[1]).is_dir():
        return f"kb.{parts[1]}"
    return "kb"


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every kb module `path` imports, anywhere in the file (functions and TYPE_CHECKING blocks included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "kb"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "kb":
            # `from kb.x import y` may import the submodule kb.x.y: count it as that module when it is one
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                as_path = KB.parent / candidate.replace(".", "/")
                is_module = as_path.with_suffix(".py").is_file() or (as_path / "__init__.py").is_file()
                found.append((node.lineno, candidate if is_module else node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            pytest.fail(f"{path}: a relative import (line {node.lineno}); write `from kb... import` instead")
    return found


MODULES = sorted(KB.rglob("*.py"))
EDGES = [(_module_name(path), line, target) for path in MODULES for line, target in _imports(path)]


def test_every_module_is_in_a_step_and_every_step_is_a_package():
    assert MODULES, f"no modules under {KB}"
    for step in RANKS:
        if step not in ("kb", "kb.cli"):
            assert (KB / step.split(".")[1] / "__init__.py").is_file(), f"{step} has no __init__.py"
    for path in MODULES:
        if path.parent == KB:
            continue
        assert path.parent.parent == KB, f"{path}: kb/ has one level of step packages"
        assert f"kb.{path.parent.name}" in RANKS, f"{path}: {path.parent.name} is not a step named in RANKS"
    for package in (p for p in KB.iterdir() if p.is_dir() and (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "\n" in doc, f"{package}/__init__.py: a docstring saying what the step takes and gives"


def _upward(edges) -> list[str]:
    return [f"{module} (line {line}) imports {target}: {_step(module)} is below {_step(target)}"
            for module, line, target in edges
            if _step(module) != _step(target) and RANKS[_step(target)] >= RANKS[_step(module)]]


def _package_circles(edges) -> list[str]:
    arrows = {(_step(module), _step(target)) for module, _, target in edges if _step(module) != _step(target)}
    return sorted(f"{a} <-> {b}" for a, b in arrows if (b, a) in arrows and a < b)


def _module_circle(edges) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for module, _, target in edges:
        if target != module:
            graph.setdefault(module, set()).add(target)
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module):], module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            if found := visit(target, [*path, module]):
                return found
        done.add(module)
        return None

    return next((found for module in sorted(graph) if (found := visit(module, []))), None)


def test_no_step_imports_a_higher_one():
    upward = _upward(EDGES)
    assert not upward, "\n".join(upward)


def test_no_two_packages_import_each_other():
    assert not _package_circles(EDGES)


def test_no_import_circle_between_modules():
    circle = _module_circle(EDGES)
    assert circle is None, "an import circle: " + " -> ".join(circle or [])


def test_the_checks_see_what_they_are_for():
    """The rules themselves, on made-up arrows: an upward import, two packages importing each other, a circle."""
    assert _upward([("kb.records.load", 1, "kb.checking.pipeline")])
    assert _upward([("kb.publishing.serve", 1, "kb.remote.endpoint")]), "publishing and remote share a rank"
    assert _upward([("kb.namespaces", 1, "kb.records.load")])
    assert not _upward([("kb.cli", 1, "kb.remote.pushdown"), ("kb.reports.html", 1, "kb.checking.findings")])
    assert _package_circles([("kb.reports.text", 1, "kb.reports.html"), ("kb.reports.html", 9, "kb.reports.text"),
                             ("kb.asking.rules", 1, "kb.checking.pipeline"),
                             ("kb.checking.x", 1, "kb.asking.query")]) == ["kb.asking <-> kb.checking"]
    assert _module_circle([("kb.reasoning.infer", 1, "kb.reasoning.rl_rules"),
                           ("kb.reasoning.rl_rules", 126, "kb.reasoning.infer")])
    assert any(target.startswith("kb.records") for _, _, target in EDGES), "the imports were not read"
