"""The UI commands are registered without loading Kivy: ``kiosk --help`` stays light."""

from __future__ import annotations

import subprocess
import sys


def test_the_command_line_knows_run_and_demo_without_importing_kivy():
    code = ("import sys; from app.cli import build_parser; p = build_parser(); "
            "a = p.parse_args(['demo', '--screenshots', '/tmp/x', '--lang', 'en']); "
            "print(a.lang, a.screenshots, p.parse_args(['run']).command, 'kivy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["en", "/tmp/x", "run", "False"]
