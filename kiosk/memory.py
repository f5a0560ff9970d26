"""The C allocator under the kiosk's many short-lived threads: at most two malloc arenas.

Every backend call, look-up, receipt and purchase runs on a thread of its own (an attempt's
deadline timer included), a dozen threads per customer. glibc gives each thread that mallocs
while the others are busy an arena of its own, up to 8 per core (16 here), and memory freed in
one arena serves only that arena. On a busy machine more of those threads overlap, so more
arenas are in use at once, each keeping free pieces it cannot give back: the app soak grew
~12 MB over 900 customers busy (1 MB quiet), all of it free space inside the arenas
(``mallinfo2``'s ``fordblks``; ``malloc_trim`` gave it back) while Python's objects and the
heap in use stayed flat. Two arenas (as ``MALLOC_ARENA_MAX=2``) keep it flat; the threads'
work is small, so sharing two arenas costs nothing measurable. See bench/README.md.

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
