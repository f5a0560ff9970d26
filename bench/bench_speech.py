"""Speech: a screen change → the first audio sample of that screen's prompt, median and p95.

``kiosk demo --keypad-only`` in a child process (the real app off-screen on the demo profile,
its simulators, espeak-ng): a customer by keypad alone through QR and card purchases and the
failure paths, in the accessible mode. Time = the controller's notification of the new state
(a listener subscribed before the narrator and the screens) → the first non-silent sample
reaching the player's place (``devices.speech.speaker``: with no audio device, a probe process
reads espeak-ng's WAV where sox's ``play`` would and notes the time; ``Speaker.utterances``).
A screen whose prompt is cut off by a quicker next screen before any sound is left out. Run:
``python -m bench.bench_speech [--lang L ...] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

from bench.procs import ROOT, env
from bench.results import Figure, median, p95, table

AIM_MS = 150


def figures(languages: tuple[str, ...] = ("zh-Hant", "zh-Hans", "en")) -> list[Figure]:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (scripts/setup-system.sh)")
    samples: list[float] = []
    for language in languages:
        out = subprocess.run([sys.executable, "-m", "app", "demo", "--keypad-only", "--lang",
                              language], capture_output=True, text=True,
                             env=env(KIOSK_EXIT_AFTER_FIRST_FRAME=""), cwd=ROOT, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"keypad demo ({language}) failed: {out.stdout[-1500:]} "
                               f"{out.stderr[-1500:]}")
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        samples += summary["screen_to_first_sample_ms"]["samples"]
    label = "/".join(languages)
    return [
        Figure(f"speech: screen change → first audio sample, median ({len(samples)} screens, "
               f"{label})", AIM_MS, median(samples), "ms"),
        Figure("speech: screen change → first audio sample, p95", AIM_MS, p95(samples), "ms"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", action="append", choices=("zh-Hant", "zh-Hans", "en"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figs = figures(tuple(args.lang) if args.lang else ("zh-Hant", "zh-Hans", "en"))
    print(json.dumps([f.as_json() for f in figs], indent=2) if args.json else table(figs))


if __name__ == "__main__":
    main()
