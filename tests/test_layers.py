"""The package's imports run one way: constants, errors → case → model → solve → results → analysis → report →
the orchestrating modules on top (run, sizing, investor, batch, cli); no module imports one above it, and no
two modules import each other, directly or through others."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "energy_model"
LAYERS = ["constants", "errors", "case", "model", "solve", "results", "analysis", "report"]
TOP = len(LAYERS)  # run.py, sizing.py, investor.py, batch.py, cli.py


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports (relative imports resolved), at any depth of the file."""
    me = module_name(path).split(".")
    package = me if path.name == "__init__.py" else me[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                stem = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == PACKAGE.name:
                stem = node.module.split(".")
            else:
                continue
            for alias in node.names:  # ``from .x import y`` may import the module x.y
                candidate = ".".join(stem + [alias.name])
                found.add(candidate if candidate in MODULES else ".".join(stem))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE.name)
    return {m for m in found if m in MODULES}


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports(path) for name, path in MODULES.items()}


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else TOP


def test_the_package_has_its_layers():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} >= set(LAYERS[2:])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_runs_against_the_flow(module):
    upward = [target for target in GRAPH[module] if layer(target) > layer(module) and layer(module) < TOP]
    assert not upward, f"{module} imports {upward}, which sit above it"


def test_no_import_cycle():
    """Depth-first search for a back edge; a cycle is reported as its modules in order."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(GRAPH[node]):
            if target == node or (node.startswith(target + ".")):  # a package's own __init__
                continue
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, " → ".join(cycle)
