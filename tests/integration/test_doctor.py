"""``kiosk doctor``: a verdict per item, FAIL (and exit 1) for a missing device or paper out."""

import json
from dataclasses import dataclass

import pytest

from app import cli
from app.commands import doctor
from devices.receipt_printer.driver import SerialReceiptPrinter
from devices.receipt_printer.simulator import PrinterSimulator
from kiosk import settings as settings_mod
from kiosk.fonts import font_path
from kiosk.maintenance.checks import FAIL, OK, WARN


@dataclass
class Handle:
    device: object
    simulator: object = None

    def close(self):
        self.device.close()
        if self.simulator is not None:
            self.simulator.stop()


def profile(tmp_path, printer_kind="none", printer_port="", terminal_kind="none",
            terminal_port=""):
    path = tmp_path / "site.toml"
    path.write_text(f"""
[kiosk]
id = "K01"
data_dir = "{tmp_path / 'data'}"
[backend]
url = "http://127.0.0.1:9"
secret = "demo-kiosk-secret"
secret_env = ""
[devices.card_terminal]
kind = "{terminal_kind}"
port = "{terminal_port}"
[devices.printer]
kind = "{printer_kind}"
port = "{printer_port}"
[simulator.backend]
enabled = true
""", encoding="utf-8")
    return path


@pytest.fixture
def pepper(monkeypatch):
    monkeypatch.setenv("KIOSK_PIN_PEPPER", "doctor-test-pepper")


def verdicts_by_item(verdicts):
    return {v.item: v for v in verdicts}


def printer_on_simulator(tmp_path, paper):
    def build(_settings):
        sim = PrinterSimulator(tmp_path / "printed", paper=paper)
        url = sim.start("tcp")
        device = SerialReceiptPrinter(url, font_path("en", cache_dir=tmp_path / "fonts"))
        assert device.wait_ready(5)
        return Handle(device, sim)
    return build


def printer_on_missing_port(tmp_path):
    def build(_settings):
        return Handle(SerialReceiptPrinter(str(tmp_path / "ttyUSB-missing"),
                                           font_path("en", cache_dir=tmp_path / "fonts")))
    return build


@pytest.mark.slow
def test_paper_out_and_a_missing_printer_fail(tmp_path, pepper):
    settings = settings_mod.load(profile(tmp_path, "serial", "/dev/null"))
    out = verdicts_by_item(doctor.diagnose(settings, build_printer=printer_on_simulator(tmp_path, "out"),
                                           client=_unreachable()))
    assert out["printer"].level == FAIL and "paper out" in out["printer"].message
    low = verdicts_by_item(doctor.diagnose(settings, build_printer=printer_on_simulator(tmp_path, "low"),
                                           client=_unreachable()))
    assert low["printer"].level == WARN and "paper low" in low["printer"].message
    ok = verdicts_by_item(doctor.diagnose(settings, build_printer=printer_on_simulator(tmp_path, "ok"),
                                          client=_unreachable()))
    assert ok["printer"].level == OK
    gone = verdicts_by_item(doctor.diagnose(settings, build_printer=printer_on_missing_port(tmp_path),
                                            client=_unreachable()))
    assert gone["printer"].level == FAIL and "no_device" in gone["printer"].message
    assert gone["backend"].level == FAIL and "unreachable" in gone["backend"].message


def _unreachable():
    from kiosk.backend.client import BackendClient
    return BackendClient("http://127.0.0.1:9", "K01", "demo-kiosk-secret", connect_timeout_s=0.2,
                         read_timeout_s=0.2, retry_deadline_s=0.3)


def test_doctor_command_starts_the_backend_simulator_and_exits_0_without_fails(
        tmp_path, pepper, capsys):
    status = cli.main(["doctor", "--config", str(profile(tmp_path)), "--json"])
    verdicts = {v["item"]: v for v in json.loads(capsys.readouterr().out)}
    assert verdicts["backend"]["level"] == OK
    assert "signature accepted" in verdicts["backend"]["message"]
    assert verdicts["card terminal"]["level"] == WARN and verdicts["printer"]["level"] == WARN
    assert verdicts["operators"]["level"] == WARN
    assert verdicts["journal"]["level"] == WARN and "first run" in verdicts["journal"]["message"]
    assert verdicts["CJK font"]["level"] in (OK, WARN)  # WARN until `kiosk fonts` (test_fonts)
    assert verdicts["disk"]["level"] in (OK, FAIL)
    assert status == (1 if verdicts["disk"]["level"] == FAIL else 0)


def test_signature_refused_is_a_fail(tmp_path, pepper):
    from kiosk.backend.client import BackendClient
    from kiosk.maintenance.checks import check_backend
    from simulators.backend import BackendSimulator

    sim = BackendSimulator(port=0, secrets={"K01": "the-right-secret"}).start()
    try:
        client = BackendClient(sim.url, "K01", "a-wrong-secret", retry_deadline_s=1)
        verdict = check_backend(client)
        client.close()
    finally:
        sim.stop()
    assert verdict.level == FAIL and "signature was refused" in verdict.message


def test_disk_too_full_is_a_fail(tmp_path):
    from kiosk.maintenance.checks import check_disk

    settings = settings_mod.load(profile(tmp_path))
    gb = 1024**3
    verdict = check_disk(settings, usage=lambda _p: (4 * gb, int(3.99 * gb), int(0.01 * gb)))
    assert verdict.level == FAIL and "will not sell" in verdict.message


@pytest.mark.slow
def test_a_missing_card_terminal_fails_and_the_exit_status_says_so(tmp_path, pepper, capsys):
    port = tmp_path / "ttyUSB-terminal-missing"
    path = profile(tmp_path, terminal_kind="serial", terminal_port=str(port))
    status = cli.main(["doctor", "--config", str(path), "--json"])
    verdicts = {v["item"]: v for v in json.loads(capsys.readouterr().out)}
    assert status == 1
    assert verdicts["card terminal"]["level"] == FAIL
    assert str(port) in verdicts["card terminal"]["message"]
    assert verdicts["backend"]["level"] == OK


def test_journal_verdicts_ok_attention_and_corrupt(tmp_path):
    from contract.clock import FakeClock
    from kiosk.journal.store import Journal
    from kiosk.maintenance.checks import check_journal

    settings = settings_mod.load(profile(tmp_path))
    path = settings.resolve(settings.journal.path)
    journal = Journal.open(path, "K01", FakeClock())
    txn = journal.create("fps", "85291234567", "P", "q", {"en": "p"}, 100, 100, "en")
    journal.advance(txn.id, "needs_attention", attention_reason="test")
    verdicts = check_journal(settings)  # read-only while the kiosk holds it
    journal.close()
    assert [(v.item, v.level) for v in verdicts] == [("journal", OK), ("attention", WARN)]
    assert "integrity ok" in verdicts[0].message
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    path.write_bytes(b"this is not a journal" * 100)
    bad = check_journal(settings)
    assert bad[0].level == FAIL and str(path) in bad[0].message
