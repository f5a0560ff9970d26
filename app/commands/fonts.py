"""``kiosk fonts``: prepare the flat CJK faces once, at installation (see ``kiosk.fonts``).

Without flat faces the kiosk still runs, on the plain faces, with about 1.8 MB more memory per
text size in use; ``kiosk doctor`` warns about it.
"""

from __future__ import annotations

import sys
import time

from kiosk import fonts
from kiosk import settings as settings_mod


def register(subparsers, common) -> None:
    parser = subparsers.add_parser("fonts", parents=[common],
                                   help="prepare the flat CJK faces (once, at installation)")
    parser.add_argument("--shared", action="store_true",
                        help=f"into the user's shared cache ({fonts.default_cache_dir()}) "
                             "instead of the profile's data directory")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="faces flattened at once (about 400 MB each; default 2)")
    parser.add_argument("--quiet", action="store_true", help="print only the last line")
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.shared:
        cache = fonts.default_cache_dir()
    else:
        cache = fonts.cache_dir_for(settings_mod.load(args.config))
    started = time.monotonic()
    try:
        faces = fonts.prepare(cache, jobs=args.jobs,
                              progress=None if args.quiet else
                              lambda made: print(f"flattened {made}", flush=True))
    except fonts.FontNotFound as e:
        print(f"kiosk fonts: {e}", file=sys.stderr)
        return 1
    for face in [] if args.quiet else faces:
        print(f"{'flat ' if fonts.is_flat(face) else 'plain'}  {face}")
    print(f"fonts ready in {time.monotonic() - started:.1f} s")
    return 0
