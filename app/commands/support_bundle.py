"""``kiosk support-bundle``: a redacted tar.gz of what an engineer needs off-site."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stdout


def register(subparsers, common) -> None:
    p = subparsers.add_parser("support-bundle", parents=[common],
                              help="write a redacted support bundle (tar.gz)")
    p.add_argument("--out", metavar="FILE", default=None,
                   help="the bundle file (default: fleet.bundle_dir/support-<id>-<time>.tar.gz)")
    p.add_argument("--no-doctor", action="store_true",
                   help="leave out the doctor checks that open devices and the backend")
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk.journal.store import Journal, JournalError
    from kiosk.ops.support_bundle import build_bundle, light_doctor
    from kiosk.settings import load

    settings = load(args.config)
    doctor = light_doctor(settings) if args.no_doctor else _doctor(args)
    journal = None
    try:
        journal = Journal.open_readonly(settings.resolve(settings.journal.path),
                                        tz=settings.journal.timezone)
    except JournalError as e:
        doctor += f"\njournal not read: {e}\n"
    try:
        path = build_bundle(settings, doctor=doctor, journal=journal, out=args.out)
    except OSError as e:
        print(f"kiosk support-bundle: cannot write the bundle: {e.strerror or e}", file=sys.stderr)
        return 1
    finally:
        if journal is not None:
            journal.close()
    print(path)
    return 0


def _doctor(args) -> str:
    """``kiosk doctor``'s own output (its verdict lines), captured."""
    from app.commands import doctor

    out = io.StringIO()
    try:
        with redirect_stdout(out):
            doctor.run(_Args(args.config))
    except Exception as e:  # a doctor that cannot run is itself worth reporting
        out.write(f"\ndoctor did not finish: {type(e).__name__}: {e}\n")
    return out.getvalue()


class _Args:
    def __init__(self, config):
        self.config = config
        self.json = False
