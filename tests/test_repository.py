"""The repository stands alone: no tracked file points outside it, and doc links resolve."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = "../shared"
# [text](target) and ![alt](target); the target ends at whitespace or ")".
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def tracked_files() -> list[str]:
    """Paths of every file git tracks, relative to the repository root."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in out.stdout.decode("utf-8").split("\0") if name]


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file (a NUL byte, or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def files_pointing_outside(names: list[str], root: Path) -> list[str]:
    """The text files among *names* (outside tests/) that mention ``../shared``."""
    found = []
    for name in names:
        if name.startswith("tests/") or not (root / name).is_file():
            continue
        text = text_of(root / name)
        if text is not None and OUTSIDE in text:
            found.append(name)
    return found


def broken_links(markdown: Path, root: Path) -> list[str]:
    """Relative link targets in *markdown* that name no file or folder in the repository."""
    broken = []
    for target in MARKDOWN_LINK.findall(markdown.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL (https:, mailto:) or an anchor in the same page
        path = (markdown.parent / target.split("#", 1)[0]).resolve()
        if not path.is_relative_to(root) or not path.exists():
            broken.append(target)
    return broken


def test_no_tracked_file_outside_tests_points_at_shared():
    assert files_pointing_outside(tracked_files(), ROOT) == []


def test_the_check_names_a_file_that_points_at_shared(tmp_path):
    (tmp_path / "README.md").write_text("see ../shared/specs/backend-api.md\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("# ../shared is fine in a test\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0../shared")
    names = ["README.md", "tests/test_x.py", "logo.png"]
    assert files_pointing_outside(names, tmp_path) == ["README.md"]


@pytest.mark.parametrize("name", ["README.md"] + sorted(
    path.relative_to(ROOT).as_posix() for path in ROOT.glob("docs/*.md")))
def test_relative_links_in_the_docs_resolve(name):
    assert broken_links(ROOT / name, ROOT) == []


def test_the_link_check_finds_a_broken_link(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("x\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text("[ok](here.md) [gone](missing.md) [web](https://example.com) [a](#top)\n"
                    "[out](../../elsewhere.md) [part](here.md#section)\n")
    assert broken_links(page, tmp_path) == ["missing.md", "../../elsewhere.md"]
