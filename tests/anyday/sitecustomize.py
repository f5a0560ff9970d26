"""Moves the wall clock of every Python process the suite starts (scripts/test-any-day.sh).

``scripts/test-any-day.sh`` puts this folder first on ``PYTHONPATH`` and sets
``KIOSK_TEST_CLOCK_OFFSET_S``: the seconds between the chosen instant and the real time when
the run began. Every Python process (pytest, and the simulators, the robot and ``kiosk run``
it starts) then moves ``time.time()`` and ``datetime.now()`` by that same offset, so they all
share one moved timeline that keeps ticking. ``time.monotonic()`` and ``time.perf_counter()``
stay real, so timed waits behave as they do on any day.

Nothing here runs unless the variable is set: production code never sees it.
"""

import os

_offset = os.environ.get("KIOSK_TEST_CLOCK_OFFSET_S")
if _offset:
    import time

    import time_machine

    _traveller = time_machine.travel(time.time() + float(_offset), tick=True)
    _traveller.start()
