"""Loading a module's ``.kv`` file from beside it, once."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder


def load_beside(module_file: str) -> None:
    """Load ``<module>.kv`` next to ``<module>.py`` (Builder ignores a second load of a file)."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)
