"""The package's shape: every stage imports only from earlier stages and the shared core.

docs/architecture.md explains the layout these tests hold the code to.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "evaluation"

#: Rank of each part of the package: a module may import from parts of the same or a lower
#: rank only (the flow read -> validate -> indicators -> panel -> estimate -> brief; batch
#: beside it, after the brief; the CLI at the very edge). Rank 0 is the shared core.
RANKS: dict[str, int] = {
    "errors": 0, "_options": 0, "columns": 0, "config": 0, "i18n": 0, "_io": 0,
    "privacy": 0, "cache": 0, "provenance": 0, "params": 0, "settings": 0, "_moved": 0,
    "read": 1, "demo": 1, "validate": 2, "indicators": 3, "study": 4, "panel": 4,
    "estimate": 5, "brief": 6, "batch": 7, "commands": 8, "cli": 8, "__main__": 8,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(["evaluation", *parts])] = path
    return out


MODULES = _modules()


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    base = package.split(".")
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path) -> list[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every import, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("evaluation")]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            if not target.startswith("evaluation"):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                if sub in MODULES:
                    out.append((sub, "", node.lineno))
                else:
                    out.append((target, a.name, node.lineno))
    return out


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for target, _, _ in _imports(module, path):
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != module:
                graph[module].add(target)
    return graph


def test_every_part_of_the_package_has_a_rank():
    parts = {_part(m) for m in MODULES if m != "evaluation"}
    assert len(parts) > 15
    assert sorted(parts - set(RANKS)) == []


def test_stages_import_only_from_earlier_stages_and_the_core():
    wrong = []
    checked = 0
    for module, path in MODULES.items():
        if module == "evaluation":
            continue
        rank = RANKS[_part(module)]
        for target, _, line in _imports(module, path):
            part = _part(target)
            if part == _part(module) or target == "evaluation":
                continue
            checked += 1
            if RANKS.get(part, 99) > rank:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert checked > 50
    assert wrong == []
