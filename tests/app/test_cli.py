"""``kiosk run`` imports only its own command module before its first frame."""

from __future__ import annotations

import subprocess
import sys

from app.cli import ALONE, COMMANDS, build_parser


def test_run_is_parsed_with_only_its_own_module():
    parser = build_parser(ALONE["run"])
    args = parser.parse_args(["run", "--config", "x.toml"])
    assert args.command == "run" and args.config == "x.toml"


def test_every_command_is_still_listed_without_a_command():
    names = build_parser()._subparsers._group_actions[0].choices
    assert {"run", "demo", "journal", "robot", "report"} <= set(names)
    assert ALONE["run"] in COMMANDS


def test_kiosk_run_help_imports_no_other_command_module():
    code = ("import sys\nfrom app.cli import main\ntry:\n    main(['run', '--help'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('app.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['app.commands.run']"
