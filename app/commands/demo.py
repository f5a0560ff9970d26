"""``kiosk demo --screenshots DIR``: the real app off-screen, walked through every screen.

The core is the composition root's on the demo profile, in a fresh data directory, with the
backend simulator on a free loopback port and the device simulators behind the real drivers.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from kiosk.settings import LANGUAGES

log = logging.getLogger(__name__)


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "demo", parents=[common],
        help="walk the real app off-screen through every screen, saving one PNG per screen")
    parser.add_argument("--screenshots", metavar="DIR", default=None,
                        help="folder for the PNGs (one sub-folder per language); required "
                             "unless --keypad-only")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="only this language (default: all three)")
    parser.add_argument("--keypad-only", action="store_true",
                        help="purchases and failure paths by key events alone, in the "
                             "accessible mode (docs/accessibility.md)")
    parser.add_argument("--speech-log", metavar="FILE", type=Path, default=None,
                        help="with --keypad-only: every prompt as a JSON line {state, lang, text}")
    parser.add_argument("--speech-wav", metavar="DIR", type=Path, default=None,
                        help="with --keypad-only: every prompt as a WAV (16-bit PCM)")
    parser.set_defaults(func=demo)


def demo(args) -> int:
    from screens.boot import prepare_environment

    prepare_environment(headless=True)
    from app.simulators import build_kiosk
    from kiosk import log as kiosk_log
    from screens.demo import demo_settings, run_demo
    from simulators.backend.control import SimulatorControl

    settings = demo_settings(args.config)
    kiosk_log.setup_from_settings(settings, console=False)
    languages = (args.lang,) if args.lang else LANGUAGES

    def build_core(post, clock):
        return build_kiosk(settings, post, clock)

    backend = SimulatorControl(settings.backend.url)
    if args.keypad_only:
        return _keypad_only(args, settings, languages, build_core, backend)
    if not args.screenshots:
        print("kiosk demo: --screenshots DIR is required (or --keypad-only)", file=sys.stderr)
        backend.close()
        return 2
    try:
        summary = run_demo(settings, Path(args.screenshots), languages, build_core, backend)
    finally:
        backend.close()
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if summary["screenshots"] and not summary["skipped"] else 1


def _keypad_only(args, settings, languages, build_core, backend) -> int:
    """The keypad walk; its last output line is the JSON summary. Exit 0 when every language
    bought by QR and by card, every screen on the way spoke, every WAV is speech, no touch."""
    from screens.boot import configure_window

    configure_window(settings.display)  # before screens.demo_keys imports Kivy's window
    from screens.demo_keys import run_keypad_demo

    shots = Path(args.screenshots) if args.screenshots else None
    try:
        summary = run_keypad_demo(settings, shots, languages, build_core, backend,
                                  args.speech_log, args.speech_wav)
    finally:
        backend.close()
    print(json.dumps(summary, ensure_ascii=False))
    complete = all(sorted(summary["purchases"].get(lang, [])) == ["card", "qr"] for lang in languages)
    ok = (complete and not summary["skipped"] and not summary["unspoken_states"]
          and summary["touch_events"] == 0 and not summary["wavs"]["silent"])
    return 0 if ok else 1
