"""A backend answering garbage: each case is a typed ``Ambiguous`` error, never a crash or a hang.

A tiny raw socket server plays the broken backend, so the client meets real bytes on a real
connection (including a 10 MB body and a slow drip).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from kiosk.backend.client import BackendClient
from kiosk.backend.errors import Ambiguous, RetryLater

TEN_MB = 10 * 1024 * 1024


class RawServer:
    """Accepts connections, reads one request, and plays the script given for the test."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.script = lambda conn: None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    self._read_request(conn)
                    self.script(conn)
                except OSError:
                    pass  # the client hung up: what it should do with garbage

    @staticmethod
    def _read_request(conn: socket.socket) -> None:
        conn.settimeout(2)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def raw_server():
    server = RawServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def client(raw_server):
    c = BackendClient(f"http://127.0.0.1:{raw_server.port}", "K01", "secret",
                      connect_timeout_s=0.3, read_timeout_s=0.6, retry_deadline_s=0,
                      max_response_bytes=1_048_576)
    try:
        yield c
    finally:
        c.close()


def reply(status_line: str, body: bytes, length: bool = True, ctype="application/json"):
    def script(conn):
        head = f"HTTP/1.1 {status_line}\r\nContent-Type: {ctype}\r\nConnection: close\r\n"
        if length:
            head += f"Content-Length: {len(body)}\r\n"
        conn.sendall(head.encode() + b"\r\n" + body)
    return script


@pytest.mark.parametrize("script, code", [
    (reply("200 OK", b""), "malformed"),
    (reply("200 OK", b"<html><body>Welcome to the hotel Wi-Fi</body></html>", ctype="text/html"),
     "malformed"),
    (reply("502 Bad Gateway", b"<html>bad gateway</html>", ctype="text/html"), ""),
    (reply("404 Not Found", b"<html>nginx</html>", ctype="text/html"), ""),
    (reply("200 OK", b'{"msisdn": "85291234567", "status": "active"}'), "malformed"),
    (reply("200 OK", b'{"msisdn": "8529', length=False), "malformed"),
    (lambda conn: None, "connection"),
    (lambda conn: conn.sendall(b"NOT HTTP AT ALL\r\n\r\n"), "connection"),
])
def test_garbage_answers_are_ambiguous(raw_server, client, script, code):
    raw_server.script = script
    with pytest.raises(Ambiguous) as caught:
        client.get_subscriber("85291234567")
    assert not isinstance(caught.value, RetryLater)
    if code:
        assert caught.value.code == code


@pytest.mark.parametrize("declared", [True, False])
def test_a_10_mb_body_is_refused_at_the_cap(raw_server, client, declared):
    raw_server.script = reply("200 OK", b"[" + b"1," * (TEN_MB // 2) + b"1]", length=declared)
    with pytest.raises(Ambiguous) as caught:
        client.get_subscriber("85291234567")
    assert caught.value.code == "oversized"


def test_a_slow_drip_stops_at_the_deadline(raw_server, client):
    def drip(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{")
        while not raw_server.stop.wait(0.05):  # one byte every 50 ms: never a read timeout
            conn.sendall(b" ")

    raw_server.script = drip
    started = time.monotonic()
    with pytest.raises(Ambiguous) as caught:
        client.get_subscriber("85291234567")
    elapsed = time.monotonic() - started
    assert caught.value.code == "timeout"
    assert elapsed < 3.0, f"the drip held the client for {elapsed:.1f} s"


def test_a_silent_server_is_a_read_timeout(raw_server, client):
    raw_server.script = lambda conn: raw_server.stop.wait(5)
    with pytest.raises(Ambiguous) as caught:
        client.get_subscriber("85291234567")
    assert caught.value.code == "timeout"


def test_garbage_is_logged_clearly_without_the_number(raw_server, client, caplog):
    raw_server.script = reply("200 OK", b"<html></html>", ctype="text/html")
    with caplog.at_level("INFO"), pytest.raises(Ambiguous):
        client.get_subscriber("85291234567")
    text = caplog.text
    assert "not a JSON object" in text and "*******4567" in text
    assert "85291234567" not in text and "secret" not in text


def test_a_slow_drip_of_headers_stops_at_the_deadline(raw_server, client):
    def drip(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not raw_server.stop.wait(0.05):
            conn.sendall(b"X")  # a header line that never ends

    raw_server.script = drip
    started = time.monotonic()
    with pytest.raises(Ambiguous) as caught:
        client.get_subscriber("85291234567")
    elapsed = time.monotonic() - started
    assert caught.value.code == "timeout"
    assert elapsed < 3.0, f"the drip held the client for {elapsed:.1f} s"
