"""Card terminal: round-trip time of a STATUS request over a pty, median of 100.

The real driver talks to the terminal simulator on a pty pair: STATUS frame out, ACK back,
RSP frame back, ACK out; timed from the call to the answer. Run:
``python -m bench.bench_terminal_status [--count N] [--link pty|tcp] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import time

from bench.results import Figure, median, p95, table
from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import CardTerminalSimulator, Delays


def figures(count: int = 100, link: str = "pty") -> list[Figure]:
    simulator = CardTerminalSimulator(delays=Delays.none())
    # probing off: only the measured requests are on the line
    terminal = SerialCardTerminal(simulator.start(link), probe_interval_s=3600)
    try:
        for _ in range(5):  # warm up
            terminal.status_result()
        times_ms = []
        for _ in range(count):
            started = time.perf_counter()
            answer = terminal.status_result()
            times_ms.append((time.perf_counter() - started) * 1000)
            assert answer.result == "READY", answer
    finally:
        terminal.close()
        simulator.stop()
    return [Figure(f"terminal STATUS round trip over {link} (median of {count})", None,
                   median(times_ms), "ms"),
            Figure(f"terminal STATUS round trip over {link} (p95)", None, p95(times_ms), "ms")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--link", choices=("pty", "tcp"), default="pty")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figs = figures(args.count, args.link)
    print(json.dumps([f.as_json() for f in figs], indent=2) if args.json else table(figs))


if __name__ == "__main__":
    main()
