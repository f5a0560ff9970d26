"""The malloc arena cap: threads that overlap share two arenas instead of one each."""

from __future__ import annotations

import subprocess
import sys

from tests.child_env import child_env

# Eight threads alive at once, each allocating from the C heap (blocks above Python's small
# object allocator, below glibc's mmap threshold); then the number of arenas from malloc_info.
CHILD = r"""
import ctypes, re, sys, threading
from kiosk.memory import limit_malloc_arenas
if sys.argv[1] == "capped":
    assert limit_malloc_arenas()
barrier = threading.Barrier(8)
def work():
    blocks = [bytearray(20_000) for _ in range(20)]
    barrier.wait()
    del blocks
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL(None)
libc.open_memstream.restype = ctypes.c_void_p
buf, size = ctypes.c_char_p(), ctypes.c_size_t()
stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
libc.malloc_info(0, ctypes.c_void_p(stream))
libc.fclose(ctypes.c_void_p(stream))
print(len(re.findall(r"<heap nr=", ctypes.string_at(buf, size.value).decode())))
"""


def arenas(mode: str) -> int:
    env = child_env()
    env.pop("MALLOC_ARENA_MAX", None)
    out = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def test_overlapping_threads_share_two_arenas_once_capped():
    assert arenas("free") > 2  # the default: an arena per overlapping thread
    assert arenas("capped") <= 2


def test_an_operators_own_setting_is_left_alone(monkeypatch):
    from kiosk.memory import limit_malloc_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False
