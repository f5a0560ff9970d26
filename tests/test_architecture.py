"""The layering rules of DESIGN.md: only screens/ imports Kivy; devices/ stands alone."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def offenders(package: str, forbidden: set[str]) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_modules(path) & forbidden
        if bad:
            found.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    return found


@pytest.mark.parametrize("package, forbidden", [
    ("kiosk", {"kivy", "screens"}),
    ("devices", {"kivy", "kiosk", "screens", "simulators"}),
    ("simulators", {"kivy", "screens"}),
])
def test_layer_does_not_import(package, forbidden):
    assert offenders(package, forbidden) == []


def test_checker_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from kivy.app import App\nimport kiosk.settings\n")
    assert imported_modules(bad) == {"kivy", "kiosk"}
