"""``kiosk doctor`` against a backend that drips, stays silent or is not there: a FAIL with the
cause within the backend's bound (5 s), while the other checks still run; a journal path that is
a folder is a ``FAIL journal`` line and exit 1."""

import json
import socket
import threading
import time

import pytest

from app import cli
from app.commands.doctor import BOUNDS_S
from kiosk.maintenance.checks import FAIL


class Backend:
    """A TCP server on loopback that reads a request, then drips bytes or says nothing."""

    def __init__(self, drip: bool):
        self.drip = drip
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000:
                if self.stop.wait(0.2):
                    return
                if self.drip:
                    conn.sendall(bytes([byte]))

    def close(self):
        self.stop.set()
        self.sock.close()


def profile(tmp_path, url, journal="journal.sqlite3"):
    path = tmp_path / "site.toml"
    path.write_text(f"""
[kiosk]
data_dir = "{tmp_path / 'data'}"
[backend]
url = "{url}"
secret = "demo-kiosk-secret"
secret_env = ""
[journal]
path = "{journal}"
[devices.card_terminal]
kind = "none"
[devices.printer]
kind = "none"
[simulator.backend]
enabled = false
""", encoding="utf-8")
    return path


def doctor(capsys, site):
    started = time.monotonic()
    status = cli.main(["doctor", "--config", str(site), "--json"])
    took = time.monotonic() - started
    verdicts = {v["item"]: v for v in json.loads(capsys.readouterr().out)}
    return status, verdicts, took


@pytest.fixture(autouse=True)
def pepper(monkeypatch):
    monkeypatch.setenv("KIOSK_PIN_PEPPER", "doctor-test-pepper")


@pytest.mark.slow
@pytest.mark.parametrize(("drip", "cause"), [(True, "no answer within 5 s"),
                                              (False, "timed out")])
def test_a_dripping_or_silent_backend_is_a_fail_within_its_bound(capsys, tmp_path, drip, cause):
    backend = Backend(drip)
    try:
        status, verdicts, took = doctor(capsys, profile(tmp_path, backend.url))
    finally:
        backend.close()
    assert BOUNDS_S["backend"] <= 5
    assert took < BOUNDS_S["backend"] + 3, took
    assert status == 1
    assert verdicts["backend"]["level"] == FAIL and cause in verdicts["backend"]["message"]
    assert {"settings", "journal", "CJK font", "disk"} <= set(verdicts)


def test_an_unreachable_backend_names_the_cause_at_once(capsys, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    status, verdicts, took = doctor(capsys, profile(tmp_path, f"http://127.0.0.1:{port}"))
    assert status == 1 and took < 5
    assert verdicts["backend"]["level"] == FAIL
    assert "Connection refused" in verdicts["backend"]["message"]


def test_a_folder_in_place_of_the_journal_is_a_fail_line_and_the_rest_still_runs(capsys, tmp_path):
    (tmp_path / "data" / "journal.sqlite3").mkdir(parents=True)
    status, verdicts, _ = doctor(capsys, profile(tmp_path, "http://127.0.0.1:9"))
    assert status == 1
    assert verdicts["journal"] == {"item": "journal", "level": FAIL, "message":
                                   f"{tmp_path}/data/journal.sqlite3 is a folder, not a file"}
    assert {"settings", "backend secret", "card terminal", "printer", "backend", "CJK font",
            "disk"} <= set(verdicts)


def test_a_journal_path_under_a_file_is_a_fail_line(capsys, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "plain").write_text("x")
    status, verdicts, _ = doctor(capsys, profile(tmp_path, "http://127.0.0.1:9", "plain/j.sqlite3"))
    assert status == 1 and verdicts["journal"]["level"] == FAIL
    assert "plain is not a folder" in verdicts["journal"]["message"]


def test_text_output_has_the_fail_journal_line(capsys, tmp_path):
    (tmp_path / "data" / "journal.sqlite3").mkdir(parents=True)
    assert cli.main(["doctor", "--config", str(profile(tmp_path, "http://127.0.0.1:9"))]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("FAIL  journal ") and "is a folder" in line for line in lines)


def test_a_folder_in_place_of_the_pin_file_is_a_fail_and_the_settings_lines_stay(capsys, tmp_path):
    (tmp_path / "data" / "operators.sqlite3").mkdir(parents=True)
    status, verdicts, _ = doctor(capsys, profile(tmp_path, "http://127.0.0.1:9"))
    assert status == 1
    assert verdicts["settings"]["level"] != FAIL and verdicts["PIN pepper"]["level"] != FAIL
    assert verdicts["operators"]["level"] == FAIL
    assert verdicts["operators"]["message"].startswith(f"{tmp_path}/data/operators.sqlite3: ")
    assert verdicts["paths"]["message"] == (f"maintenance.pins_path: {tmp_path}/data/"
                                            "operators.sqlite3 is a folder, not a file")
