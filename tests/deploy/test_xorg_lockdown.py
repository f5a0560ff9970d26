"""The X server gives a keyboard no way out: no VT switch, no zap, no zoom, no server keys."""

import os
import re
import subprocess

import pytest

from tests.child_env import child_env
from tests.deploy.test_systemd_units import DEPLOY, unit

SNIPPET = DEPLOY / "xorg" / "10-kiosk-lockdown.conf"


def test_xorg_runs_without_vt_switching():
    command = unit("kiosk-xorg.service")["Service"]["ExecStart"].split()
    assert command[0] == "/usr/bin/Xorg" and "-novtswitch" in command
    assert "-nolisten" in command and command[command.index("-nolisten") + 1] == "tcp"


def test_the_snippet_turns_off_vt_switching_zap_and_zoom():
    text = SNIPPET.read_text(encoding="utf-8")
    flags = re.search(r'Section "ServerFlags"(.*?)EndSection', text, re.S).group(1)
    for option in ("DontVTSwitch", "DontZap", "DontZoom"):
        assert re.search(rf'Option\s+"{option}"\s+"true"', flags), option
    assert re.search(r'Option\s+"XkbOptions"\s+"srvrkeys:none"', text)


@pytest.mark.skipif(os.geteuid() != 0, reason="kiosk-as-service runs only as root")
def test_kiosk_as_service_installs_the_snippet(tmp_path):
    target = tmp_path / "xorg.conf.d"
    done = subprocess.run(
        ["sh", str(DEPLOY / "kiosk-as-service"), "install-xorg-conf"], capture_output=True,
        text=True, timeout=30,
        env=child_env(KIOSK_DEPLOY=str(DEPLOY), KIOSK_XORG_CONF_DIR=str(target),
                      KIOSK_SECRETS=str(tmp_path / "no-secrets-needed")))
    assert done.returncode == 0, done.stderr
    installed = target / "10-kiosk-lockdown.conf"
    assert installed.read_text(encoding="utf-8") == SNIPPET.read_text(encoding="utf-8")
    assert oct(installed.stat().st_mode & 0o777) == oct(0o644)


@pytest.mark.skipif(os.geteuid() != 0, reason="kiosk-as-service runs only as root")
def test_a_missing_snippet_is_one_clear_line(tmp_path):
    done = subprocess.run(
        ["sh", str(DEPLOY / "kiosk-as-service"), "install-xorg-conf"], capture_output=True,
        text=True, timeout=30,
        env=child_env(KIOSK_DEPLOY=str(tmp_path), KIOSK_XORG_CONF_DIR=str(tmp_path / "x")))
    assert done.returncode == 1 and "not found (set KIOSK_DEPLOY)" in done.stderr
