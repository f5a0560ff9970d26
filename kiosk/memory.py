"""The C allocator under the kiosk's many short-lived threads: at most two malloc arenas.

Every backend call, look-up, receipt and purchase runs on a thread of its own (an attempt's
deadline timer included): about a dozen threads per customer. glibc gives a thread that mallocs
while the others hold theirs an arena of its own, up to 8 per core (16 on the kiosk's 2 cores),
and memory freed in one arena serves only that arena. The more those threads overlap (a busy
machine), the more arenas hold free space they cannot give back. Measured in the app soak
beside a CPU-bound process, 600 customers after the warm-up: 16 arenas, RSS +5.6 MB, all of it
free space inside the arenas (``mallinfo2``: +5.7 MB free, the heap in use flat); capped at two,
RSS +1.4 MB and the free space flat. Two arenas (as ``MALLOC_ARENA_MAX=2``) showed no cost in
the tap and QR figures (alternating runs, capped and not): the threads' work is small. See bench/README.md ("The app soak's growth under load").

``limit_malloc_arenas()`` must run before the process starts threads (``kiosk run`` calls it
first thing, through ``screens.boot.prepare_environment``). It is a no-op off glibc and when
the operator set ``MALLOC_ARENA_MAX`` themselves.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at *arenas*; True when the cap is set."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False  # glibc read the operator's own setting at start-up
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        log.debug("no glibc mallopt: malloc arenas left as they are")
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt(_M_ARENA_MAX, arenas) == 1
