"""The backend simulator's HTTP server: authentication, idempotency, faults, dispatch.

A stdlib ``ThreadingHTTPServer`` on loopback. ``BackendSimulator`` is the Python API used by
tests, the robot and the ``kiosk backend-simulator`` command.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from contract import signing
from contract.clock import Clock, SystemClock
from contract.redact import mask_phone
from simulators.backend import checks, routes, scan
from simulators.backend.faults import Faults
from simulators.backend.idempotency import Idempotency, body_hash
from simulators.backend.json_depth import MAX_DEPTH, too_deep
from simulators.backend.store import Answer, ApiError, Store

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1_048_576
LONG_POLL_ROUTE = "GET /v1/payments/{out_trade_no}"
LONG_POLL_MAX_S = 25
LONG_POLL_TICK_S = 0.2  # a held long poll looks again this often (time moves orders too)
WAITING_STATUSES = ("pending", "user_paying")


class _Dropped(Exception):
    """The connection is cut without an answer (a timeout or drop_after_commit fault)."""


class _Handler(BaseHTTPRequestHandler):
    server_version = "KioskBackendSimulator/1.0"
    timeout = 10  # an idle connection is dropped after this, so stop() never waits long
    sim: BackendSimulator  # set on the subclass made per server

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's naming)
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def log_message(self, fmt: str, *args) -> None:
        log.debug("%s %s", self.address_string(), fmt % args)

    def _serve(self, method: str) -> None:
        try:
            answer = self.sim.handle(method, self.path, dict(self.headers), self._body())
        except _Dropped:
            self.close_connection = True
            return
        except ApiError as e:
            answer = e.answer
        except Exception:  # a bug in the simulator: say so, as a real server would
            log.exception("backend simulator failed on %s %s", method, self.path)
            answer = Answer(500, {"error": "internal", "message": "simulator error"})
        log.info("%s %s -> %d", method, _loggable(self.path), answer.status)
        data = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            log.debug("client went away before the answer was written")

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_REQUEST_BYTES:
            raise ApiError(400, "bad_request", "missing or too large Content-Length")
        return self.rfile.read(int(length)) if int(length) else b""


class BackendSimulator:
    """The backend of ``docs/backend-contract.md`` on loopback, with seeded demo data and faults."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 secrets: dict[str, str] | None = None, state_path=None,
                 auto_pay_after_s: float = 0, clock: Clock | None = None,
                 scan_confirm_after_s: float = scan.CONFIRM_AFTER_S):
        self.host, self.port = host, port
        self.secrets = dict(secrets or {"K01": "demo-kiosk-secret"})
        self.auto_pay_after_s = float(auto_pay_after_s)
        self.scan_confirm_after_s = float(scan_confirm_after_s)
        self.clock = clock or SystemClock()
        self.store = Store(state_path, now=self.clock.now)
        self.faults = Faults()
        self.idempotency = Idempotency(self.store)
        self._stopping = threading.Event()
        self._held = threading.Condition()
        self._held_count = 0
        self._changed = threading.Condition()  # notified after every request that ran
        self._long_polls = 0  # long polls being held now
        self._release_generation = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> BackendSimulator:
        handler = type("Handler", (_Handler,), {"sim": self})
        server = ThreadingHTTPServer((self.host, self.port), handler)
        server.daemon_threads = False
        server.block_on_close = True  # server_close() joins the request threads
        self._server = server
        self.port = server.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="backend-simulator", daemon=True)
        self._thread.start()
        log.info("backend simulator listening on %s", self.url)
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self.release_held()  # wakes requests held by a timeout fault
        self._notify_changed()  # and long polls
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None
        self.store.close()
        log.info("backend simulator stopped")

    def reset(self) -> None:
        self.store.reset()
        self.faults.clear()
        self.idempotency.clear()

    def wait_held(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until *count* requests are being held by a timeout fault (for tests)."""
        with self._held:
            return self._held.wait_for(lambda: self._held_count >= count, timeout)

    def wait_long_polls(self, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until *count* long polls are being held (for tests)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._long_polls >= count, timeout)

    # --- one request ------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Answer:
        split = urlsplit(target)
        path = unquote(split.path)
        if path.startswith("/_sim/"):
            return self._control(method, path, raw)
        route, params, known = routes.find(routes.CONTRACT, method, path)
        if route is None:
            raise ApiError(405 if known else 404, "method_not_allowed" if known else "not_found",
                           f"no route {method} {path}")
        kiosk_id = self._authenticate(method, target, headers, raw)
        wait_s = _wait_s(split.query) if route.name == LONG_POLL_ROUTE else None
        body = _json_body(raw) if method == "POST" else None
        fault = self.faults.take(route.name)
        if fault:
            log.info("fault %s on %s", fault.mode, route.name)
        if fault and fault.mode == "http_500":  # the server fails before doing anything
            return Answer(500, {"error": "internal", "message": "simulated server fault"})
        if not route.keyed:
            answer = self._run(route, params, body, kiosk_id, None, fault)
            if wait_s and answer.status == 200 and answer.body.get("status") in WAITING_STATUSES:
                answer = self._long_poll(route, params, kiosk_id, answer, wait_s)
            return self._finish(answer, fault)
        key = checks.key(_header(headers, signing.HEADER_IDEMPOTENCY))
        rid, replay = self.idempotency.begin(kiosk_id, path, key, body_hash(body))
        if replay is not None:
            if fault and fault.mode == "timeout":
                self._hold(fault.hold_s)
            return self._finish(replay, fault)
        try:
            answer = self._run(route, params, body, kiosk_id, key, fault)
        except BaseException:
            self.idempotency.release(rid)
            raise
        self.idempotency.finish(rid, answer)
        with self.store.lock:
            self.store.save()
        return self._finish(answer, fault)

    @staticmethod
    def _finish(answer: Answer, fault) -> Answer:
        """The answer, unless a fault cuts the connection instead (the work stays done)."""
        if fault and fault.mode in ("drop_after_commit", "timeout"):
            raise _Dropped()
        return answer

    def _run(self, route, params, body, kiosk_id, key, fault) -> Answer:
        if fault and fault.mode == "timeout":
            self._hold(fault.hold_s)
            raise _Dropped()
        call = routes.Call(self, self.store, params, body, self.clock.now(), kiosk_id, key,
                           reject=bool(fault and fault.mode == "reject"))
        with self.store.lock:
            try:
                answer = route.handler(call)
            except ApiError as e:
                answer = e.answer
            self.store.save()
        self._notify_changed()
        return answer

    def _long_poll(self, route, params, kiosk_id, first: Answer, wait_s: int) -> Answer:
        """Hold a payment query until its status changes or *wait_s* real seconds pass.

        Only this request's thread waits (the server has a thread per request) and the store's
        lock is not held while waiting, so other requests, including the ``/_sim`` pay that
        ends the wait, go on. It looks again when any request has run, and every
        ``LONG_POLL_TICK_S`` (the simulator's clock moves orders too: auto-pay, a scan
        confirmed on the phone, expiry)."""
        deadline = time.monotonic() + wait_s
        with self._changed:
            self._long_polls += 1
            self._changed.notify_all()
        try:
            return self._wait_for_change(route, params, kiosk_id, first, deadline)
        finally:
            with self._changed:
                self._long_polls -= 1

    def _wait_for_change(self, route, params, kiosk_id, first: Answer, deadline: float) -> Answer:
        # Each look is taken holding the condition a change notifies under, so a change made
        # between a look and the wait that follows it cannot slip by unheard (a pay that came
        # just after the first answer was once missed until the next tick).
        answer = first
        with self._changed:
            while not self._stopping.is_set():
                answer = self._peek(route, params, kiosk_id, first.body.get("status"))
                if answer.status != 200 or answer.body.get("status") != first.body.get("status"):
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, LONG_POLL_TICK_S))
        return answer

    def _peek(self, route, params, kiosk_id, status) -> Answer:
        """The route's answer now; the store is saved only if the status moved."""
        call = routes.Call(self, self.store, params, None, self.clock.now(), kiosk_id)
        with self.store.lock:
            try:
                answer = route.handler(call)
            except ApiError as e:
                answer = e.answer
            if answer.body.get("status") != status:
                self.store.save()
        return answer

    def _notify_changed(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def release_held(self) -> None:
        """End every request held by a timeout fault now (they close without an answer)."""
        with self._held:
            self._release_generation += 1
            self._held.notify_all()

    def _hold(self, hold_s: float) -> None:
        with self._held:
            self._held_count += 1
            generation = self._release_generation
            self._held.notify_all()
            try:
                self._held.wait_for(lambda: self._stopping.is_set()
                                    or self._release_generation != generation, hold_s)
            finally:
                self._held_count -= 1

    def _authenticate(self, method: str, target: str, headers: dict, raw: bytes) -> str:
        kiosk_id = _header(headers, signing.HEADER_KIOSK) or ""
        timestamp = _header(headers, signing.HEADER_TIMESTAMP) or ""
        signature = _header(headers, signing.HEADER_SIGNATURE) or ""
        secret = self.secrets.get(kiosk_id)
        if not secret or not signature or not timestamp.isdigit() or not signing.verify(
                secret, method, target, timestamp, raw, signature):
            log.warning("refused %s %s: bad signature (kiosk %r)", method, urlsplit(target).path,
                        kiosk_id)
            raise ApiError(401, "bad_signature", "the request signature does not match")
        if abs(self.clock.now() - int(timestamp)) > signing.MAX_SKEW_S:
            raise ApiError(401, "stale_timestamp", "X-Timestamp is more than 300 s off")
        return kiosk_id

    def _control(self, method: str, path: str, raw: bytes) -> Answer:
        route, params, known = routes.find(routes.CONTROL, method, path)
        if route is None:
            raise ApiError(405 if known else 404, "not_found", f"no control route {method} {path}")
        body = (_json_body(raw) if raw else {}) if method == "POST" else None
        with self.store.lock:
            try:
                answer = route.handler(routes.Call(self, self.store, params, body,
                                                   self.clock.now()))
            except ApiError as e:
                answer = e.answer
            self.store.save()
        self._notify_changed()
        return answer


def _wait_s(query: str) -> int | None:
    """The long poll's ``wait_s`` (1..25) from the query, None without one; else 400."""
    values = parse_qs(query, keep_blank_values=True).get("wait_s")
    if not values:
        return None
    text = values[-1]
    if not text.isdigit() or not 1 <= int(text) <= LONG_POLL_MAX_S:
        raise ApiError(400, "bad_request", f"wait_s must be a whole number of seconds from 1 to "
                                           f"{LONG_POLL_MAX_S}")
    return int(text)


def _loggable(target: str) -> str:
    """The request path for a log line, a subscriber's number masked."""
    path = urlsplit(target).path
    if path.startswith("/v1/subscribers/"):
        return "/v1/subscribers/" + mask_phone(unquote(path.rsplit("/", 1)[-1]))
    return path


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _json_body(raw: bytes) -> dict:
    try:
        text = raw.decode("utf-8")
        if too_deep(text):
            raise ApiError(400, "bad_request", f"the body nests deeper than {MAX_DEPTH} levels")
        body = json.loads(text) if raw else None
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "bad_request", "the body is not JSON") from None
    except RecursionError:  # too_deep should have caught it; never a 500 for a client's body
        raise ApiError(400, "bad_request", "the body nests too deep") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body
