"""A card terminal simulator and the real driver connected to it, over a real pty or TCP."""

from __future__ import annotations

import queue
import threading

import pytest

from devices.card_terminal.driver import SerialCardTerminal
from devices.card_terminal.simulator import CardTerminalSimulator, Delays
from devices.interfaces import DeviceState, StatusChanged, TerminalProgress

# Short timers so no test waits seconds; the protocol's ratios are kept (T_char < T_ack).
DRIVER_TIMERS = dict(t_ack_s=0.3, t_char_s=0.1, result_grace_s=2.0, evt_watchdog_s=0.5,
                     answer_timeout_s=1.0, recovery_s=1.0, probe_interval_s=0.3,
                     probe_timeout_s=0.3, reconnect_interval_s=0.05, connect_wait_s=3.0)
SIM_TIMERS = dict(t_ack_s=0.3, t_char_s=0.1)
WAIT_S = 3.0


class Events:
    """Device events as they arrive, waitable."""

    def __init__(self):
        self.all: list = []
        self._cond = threading.Condition()

    def __call__(self, event):
        with self._cond:
            self.all.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout_s=WAIT_S):
        with self._cond:
            ok = self._cond.wait_for(lambda: any(predicate(e) for e in self.all), timeout_s)
        assert ok, f"no such event; got {self.all}"

    def wait_state(self, state: DeviceState, timeout_s=WAIT_S):
        self.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.state is state, timeout_s)

    def stages(self, ecr_ref):
        with self._cond:
            return [e.stage for e in self.all
                    if isinstance(e, TerminalProgress) and e.ecr_ref == ecr_ref]

    def clear(self):
        with self._cond:
            self.all.clear()


class Rig:
    """Simulator + driver; ``restart()`` brings the simulator back at the same port."""

    def __init__(self, link: str, tmp_path, scenario="approve", delays=None, **faults):
        self.link = link
        self.sim = CardTerminalSimulator(scenario, state_path=tmp_path / "terminal.json",
                                         delays=delays or Delays.none(),
                                         symlink=tmp_path / "ttyTERM", **SIM_TIMERS, **faults)
        self.port = self.sim.start(link)
        self.events = Events()
        self.terminal = SerialCardTerminal(self.port, **DRIVER_TIMERS)
        self.terminal.subscribe(self.events)
        self._workers: list[threading.Thread] = []

    def restart(self) -> None:
        tcp_port = int(self.port.rsplit(":", 1)[1]) if self.link == "tcp" else 0
        assert self.sim.start(self.link, tcp_port) == self.port

    def in_background(self, fn, *args, **kwargs) -> queue.Queue:
        """Run a blocking driver call on a worker; the queue gets its result or exception."""
        out: queue.Queue = queue.Queue()

        def work():
            try:
                out.put(fn(*args, **kwargs))
            except Exception as e:  # handed to the test to assert on
                out.put(e)

        t = threading.Thread(target=work, daemon=True)
        self._workers.append(t)
        t.start()
        return out

    def close(self) -> None:
        self.terminal.close()
        self.sim.stop()
        for t in self._workers:
            t.join(timeout=5.0)
            assert not t.is_alive(), "a driver call did not return"


@pytest.fixture(params=["pty", "tcp"])
def link(request):
    return request.param


@pytest.fixture
def make_rig(link, tmp_path):
    made = []

    def make(scenario="approve", delays=None, **faults):
        rig = Rig(link, tmp_path, scenario, delays, **faults)
        made.append(rig)
        return rig

    yield make
    for rig in made:
        rig.close()
