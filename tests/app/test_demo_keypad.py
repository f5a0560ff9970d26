"""``kiosk demo --keypad-only``: purchases by key events alone, the speech log and the WAVs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from devices.speech.wav import pcm_stats
from tests.child_env import ROOT, child_env

pytestmark = [pytest.mark.slow]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_keypad_only_demo_buys_by_qr_and_card_and_speaks_every_screen(tmp_path):
    log, wavs = tmp_path / "speech.jsonl", tmp_path / "wav"
    out = subprocess.run([sys.executable, "-m", "app", "demo", "--keypad-only", "--lang", "en",
                          "--speech-log", str(log), "--speech-wav", str(wavs)],
                         capture_output=True, text=True, cwd=ROOT, env=child_env(), timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["purchases"] == {"en": ["qr", "card"]}
    assert summary["touch_events"] == 0 and summary["key_events"] > 100
    assert summary["unspoken_states"] == {} and summary["skipped"] == []
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {line["lang"] for line in lines} == {"en"}
    states = {line["state"] for line in lines}
    assert {"attract", "entering_number", "card_shown", "confirming", "paying_qr", "paying_card",
            "done", "payment_failed", "lookup_failed", "refunded", "needs_attention"} <= states
    files = sorted(wavs.glob("*.wav"))
    assert len(files) == len(lines) == summary["wavs"]["count"]
    for path in files[:: max(1, len(files) // 10)]:
        stats = pcm_stats(path.read_bytes())
        assert stats["sample_width"] == 2 and stats["rms"] > 500 and stats["seconds"] > 0.3


def test_demo_needs_screenshots_or_keypad_only():
    out = subprocess.run([sys.executable, "-m", "app", "demo"], capture_output=True, text=True,
                         cwd=ROOT, env=child_env(), timeout=300)
    assert out.returncode == 2 and "--screenshots" in out.stderr
