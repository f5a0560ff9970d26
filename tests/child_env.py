"""The environment for a Python process a test starts: this checkout first on the path.

Whatever ``PYTHONPATH`` the suite itself runs with is kept behind the checkout, so a moved
wall clock (``scripts/test-any-day.sh``) reaches the child process too.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """*base* (default ``os.environ``) with ROOT first on ``PYTHONPATH``, plus *extra*."""
    env = dict(os.environ if base is None else base)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    return {**env, **extra}
