"""Where the app soak's memory goes: the soak with the allocator and the heap looked at.

Runs customers through the real app off-screen as ``bench.soak_app`` does, optionally beside
CPU-bound processes (``--busy 2``), and at each sample records: RSS; glibc's ``mallinfo2``
(bytes in use, free inside the heaps, mmapped), the number of malloc arenas (from
``malloc_info``), threads alive and started so far; Python's allocated blocks and object count.
With ``--trim`` it also records the RSS right after ``malloc_trim(0)`` (what the allocator holds
but does not use); ``--census`` prints the object types that grew between the first and last
sample; ``--tracemalloc`` the source lines whose allocations grew. Prints one JSON document.
``python -m bench.soak_diagnose --customers 300 --warmup 50 --busy 2 --trim --census``.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import json
import re
import sys
import threading
import time

from bench.procs import sample


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _MallInfo2
_threads_started = [0]


def _count_threads() -> None:
    start = threading.Thread.start

    def counted(self):
        _threads_started[0] += 1
        return start(self)

    threading.Thread.start = counted


def arenas() -> int:
    """How many malloc arenas this process has (main arena included), from malloc_info."""
    libc = _libc
    libc.open_memstream.restype = ctypes.c_void_p
    buf, size = ctypes.c_char_p(), ctypes.c_size_t()
    stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    text = ctypes.string_at(buf, size.value).decode()
    libc.free(buf)
    return len(re.findall(r"<heap nr=", text))


def snapshot(at: int, trim: bool) -> dict:
    gc.collect()
    s = sample(at).as_json()
    info = _libc.mallinfo2()
    s.update(heap_used_mb=info.uordblks / 2**20, heap_free_mb=info.fordblks / 2**20,
             mmapped_mb=info.hblkhd / 2**20, arenas=arenas(),
             threads_started=_threads_started[0], py_blocks=sys.getallocatedblocks(),
             py_objects=len(gc.get_objects()))
    if trim:
        _libc.malloc_trim(0)
        s["rss_after_trim_mb"] = sample(at).rss_mb
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in s.items()}


def census() -> collections.Counter:
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes beside it")
    parser.add_argument("--trim", action="store_true", help="malloc_trim at every sample")
    parser.add_argument("--trim-last", action="store_true", help="malloc_trim at the last only")
    parser.add_argument("--census", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    import tracemalloc

    from bench.busy import Busy
    from bench.customer import Customer
    from bench.ui_session import running_app

    _count_threads()
    if args.tracemalloc:
        tracemalloc.start(8)
    step = max(1, (args.customers - args.warmup) // args.samples)
    out: dict = {"samples": []}
    first_census = first_trace = None
    with Busy(args.busy), running_app() as (driver, kiosk):
        customer = Customer(driver, kiosk, timing=False)
        started = time.monotonic()
        try:
            for i in range(args.customers):
                customer.buy(i)
                customer.forget()
                served = i + 1
                if served == args.warmup or (served > args.warmup
                                             and (served - args.warmup) % step == 0):
                    last = served + step > args.customers
                    out["samples"].append(snapshot(served, args.trim or (args.trim_last
                                                                         and last)))
                    print(json.dumps(out["samples"][-1]), file=sys.stderr, flush=True)
                    if served == args.warmup:
                        first_census = census() if args.census else None
                        first_trace = tracemalloc.take_snapshot() if args.tracemalloc else None
        finally:
            customer.close()
        out["elapsed_s"] = time.monotonic() - started
        if first_census is not None:
            grown = census()
            grown.subtract(first_census)
            out["census_growth"] = [(k, v) for k, v in grown.most_common(25) if v > 0]
        if first_trace is not None:
            diff = tracemalloc.take_snapshot().compare_to(first_trace, "lineno")
            out["tracemalloc_growth"] = [str(d) for d in diff[:25]]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
