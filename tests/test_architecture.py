"""The layering rules (docs/architecture.md): which top-level package may import which, no
cycle between them, and Kivy only in screens/.

An import counts wherever it is written: ``import``/``from`` statements (also inside functions),
and any string that names one of our modules (``importlib.import_module("screens.x")``, a
``mock.patch`` target, a registry of command modules), so a dependency cannot hide in a string.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "contract", "kiosk", "screens", "devices", "simulators")

# Who may import whom (besides itself). app/ is the composition root: it wires everything.
ALLOWED: dict[str, set[str]] = {
    "app": {"contract", "kiosk", "screens", "devices", "simulators"},
    "screens": {"contract", "kiosk", "devices"},
    "kiosk": {"contract", "devices"},
    "simulators": {"contract"},
    "devices": set(),
    "contract": set(),
}
# Third-party packages only one of ours may import.
ONLY_IN = {"kivy": "screens"}


def module_exists(root: Path, dotted: str) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def named_module(root: Path, text: str, ours: tuple[str, ...]) -> str | None:
    """The module a dotted string names, itself or as the prefix of an attribute
    (``"screens.app.post"``, a ``mock.patch`` target); None for anything else (``"kiosk.id"``)."""
    parts = text.split(".")
    if len(parts) < 2 or parts[0] not in ours or not all(p.isidentifier() for p in parts):
        return None
    for end in range(len(parts), 1, -1):
        if module_exists(root, ".".join(parts[:end])):
            return ".".join(parts[:end])
    return None


def imported_names(path: Path, root: Path, packages: Iterable[str]) -> set[str]:
    """Every module name *path* imports, by statement or by a string naming one of our modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    ours = tuple(packages)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.strip()
            module = named_module(root, text, ours)
            if module:
                names.add(module)
    return names


def package_edges(root: Path, packages: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """(importer, imported) top-level package pairs, each with the files that make the edge."""
    packages = tuple(packages)
    edges: dict[tuple[str, str], list[str]] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            for name in imported_names(path, root, packages):
                top = name.split(".")[0]
                if top != package and top in packages:
                    edges.setdefault((package, top), []).append(str(path.relative_to(root)))
    return edges


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Every elementary cycle's members (strongly connected components of more than one node)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def forbidden_edges(edges: dict[tuple[str, str], list[str]], allowed) -> list[str]:
    return [f"{a} → {b}: {files[:3]}" for (a, b), files in sorted(edges.items())
            if b in allowed and b not in allowed[a] and a in allowed]


def test_no_cycle_between_top_level_packages():
    assert cycles(package_edges(ROOT, PACKAGES)) == []


def test_every_import_between_packages_is_an_allowed_arrow():
    assert forbidden_edges(package_edges(ROOT, PACKAGES), ALLOWED) == []


@pytest.mark.parametrize("third_party, owner", sorted(ONLY_IN.items()))
def test_third_party_imported_only_by_its_owner(third_party, owner):
    offenders = []
    for package in PACKAGES:
        if package == owner:
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            names = imported_names(path, ROOT, PACKAGES)
            if any(n.split(".")[0] == third_party for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_cycle_through_a_string_import_is_found(tmp_path):
    """GIVEN a core that loads a UI module by name, and a UI that imports the core,
    THEN the checker sees the cycle and the forbidden arrow."""
    root = _tree(tmp_path, {
        "core/__init__.py": "",
        "core/cli.py": "import importlib\nimportlib.import_module('ui.commands')\n",
        "ui/__init__.py": "",
        "ui/commands.py": "def run():\n    from core import cli\n",
    })
    edges = package_edges(root, ("core", "ui"))
    assert set(edges) == {("core", "ui"), ("ui", "core")}
    assert cycles(edges) == [["core", "ui"]]
    assert forbidden_edges(edges, {"core": set(), "ui": {"core"}}) == ["core → ui: ['core/cli.py']"]


def test_a_string_that_is_not_one_of_our_modules_is_not_an_import(tmp_path):
    """Settings keys look like dotted names ("kiosk.data_dir"); only real modules count, alone
    or as the start of a patch target ("kiosk.a.thing")."""
    root = _tree(tmp_path, {"kiosk/__init__.py": "", "kiosk/a.py": "KEY = 'kiosk.data_dir'\n",
                            "screens/__init__.py": "X = 'kiosk.a'\n",
                            "screens/b.py": "T = 'kiosk.a.thing'\n"})
    assert package_edges(root, ("kiosk", "screens")) == {
        ("screens", "kiosk"): ["screens/__init__.py", "screens/b.py"]}


def test_the_real_tree_would_fail_on_a_deliberate_violation(tmp_path):
    """The rules as they stand reject kiosk/ importing screens/ (the old "screens.commands")."""
    edges = package_edges(ROOT, PACKAGES)
    edges[("kiosk", "screens")] = ["kiosk/cli.py"]
    assert cycles(edges) == [["kiosk", "screens"]]
    assert "kiosk → screens: ['kiosk/cli.py']" in forbidden_edges(edges, ALLOWED)
