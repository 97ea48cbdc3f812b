"""The package's shape: stages in order, no import cycle, private names stay private,
files and functions of a readable size, words only in the catalogue.

These rules are issue-10's "done when"; docs/architecture.md explains them.
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
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80


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


def test_no_import_cycle_lazy_imports_included():
    graph = _graph()
    # a package's own __init__ re-exporting its modules is not a cycle of the flow
    for m in graph:
        graph[m] = {t for t in graph[m] if not (m.startswith(t + ".") and MODULES[t].name == "__init__.py")}
    assert sum(len(v) for v in graph.values()) > 100
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert cycles == []


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


def test_private_names_stay_inside_their_sub_package():
    wrong = []
    for module, path in MODULES.items():
        for target, name, line in _imports(module, path):
            same = _part(target) == _part(module)
            private_module = any(p.startswith("_") and p not in ("__init__",) for p in target.split(".")[1:])
            private_name = name.startswith("_") and not name.endswith("__")
            shared_core = _part(target) in ("_io", "_options", "_moved")
            if not same and (private_name or (private_module and not shared_core)):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} uses {target}"
                             + (f".{name}" if name else ""))
    assert wrong == []


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function from its first statement after the docstring to its end (a
    public function's numpydoc docstring is documentation, not length to read through)."""
    body = node.body
    first = body[0]
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str) and len(body) > 1):
        first = body[1]
    return node.end_lineno - first.lineno + 1


def _reason_at_top(node: ast.AST) -> bool:
    doc = ast.get_docstring(node) or ""
    return "long because" in doc.lower() or "why this is long" in doc.lower()


def test_files_and_functions_stay_readable():
    long_files = [f"{p.relative_to(PACKAGE.parent)} ({n} lines)" for p in MODULES.values()
                  if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES]
    long_functions = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = _code_lines(node)
                if n > MAX_FUNCTION_LINES and not _reason_at_top(node):
                    where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                    long_functions.append(f"{where} {node.name} ({n} lines of code)")
    assert long_files == []
    assert long_functions == []


def _words(node: ast.AST) -> bool:
    """A literal holding prose (a string with a space and a letter) somewhere inside."""
    for sub in ast.walk(node):
        if (isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                and " " in sub.value.strip() and any(c.isalpha() for c in sub.value)):
            return True
    return False


def test_no_bilingual_word_tables_in_code():
    found = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if {"id", "en"} <= keys and _words(node):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert found == []
