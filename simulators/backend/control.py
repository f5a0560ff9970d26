"""Driving the backend simulator from outside (tests, the robot, the demo): the ``/_sim`` routes.

These are not part of the contract and need no signature; they play the customer's phone
(``pay``), switch faults and show what the simulator holds.
"""

from __future__ import annotations

import logging

import requests

log = logging.getLogger(__name__)


class SimulatorControlError(RuntimeError):
    """The simulator refused a control request (the message carries its error object)."""


class SimulatorControl:
    def __init__(self, base_url: str, timeout_s: float = 5.0,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self._timeout = (timeout_s, timeout_s)
        self._session = session or requests.Session()

    def pay(self, out_trade_no: str) -> dict:
        """The customer scans and pays this order; returns the order's status object."""
        return self._post(f"/_sim/payments/{out_trade_no}/pay", {})

    def fault(self, route: str, mode: str, count: int = 1, hold_s: float | None = None) -> dict:
        """Make the next *count* calls of *route* (``"POST /v1/topups"``) fail in *mode*."""
        body: dict = {"route": route, "mode": mode, "count": count}
        if hold_s is not None:
            body["hold_s"] = hold_s
        return self._post("/_sim/faults", body)

    def ledger(self) -> dict:
        """Every order, top-up, refund, subscriber and heartbeat the simulator holds."""
        return self._answer(self._session.get(self.base_url + "/_sim/ledger",
                                              timeout=self._timeout))

    def reset(self) -> None:
        self._post("/_sim/reset", {})

    def queue_command(self, kiosk_id: str, kind: str) -> dict:
        """Queue a fleet command; the kiosk's next heartbeat receives it once."""
        return self._post(f"/_sim/kiosks/{kiosk_id}/commands", {"kind": kind})

    def close(self) -> None:
        self._session.close()

    def _post(self, path: str, body: dict) -> dict:
        return self._answer(self._session.post(self.base_url + path, json=body,
                                               timeout=self._timeout))

    @staticmethod
    def _answer(response: requests.Response) -> dict:
        try:
            doc = response.json()
        except ValueError:
            doc = {"error": "not_json", "message": response.text[:200]}
        if response.status_code >= 400:
            raise SimulatorControlError(
                f"simulator answered {response.status_code}: {doc.get('error')}: "
                f"{doc.get('message', '')}")
        return doc
