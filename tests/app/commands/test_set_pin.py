"""``kiosk set-pin``: the PIN comes from standard input only; it is hashed, never stored plain."""

import io

import pytest

from app import cli
from contract.clock import FakeClock
from kiosk import settings as settings_mod
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.pins import PinStore


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_PIN_PEPPER", "set-pin-test-pepper")
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\nid = "K01"\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    return path


class Stdin(io.StringIO):
    def __init__(self, text, tty=False):
        super().__init__(text)
        self._tty = tty

    def isatty(self):
        return self._tty


def test_pin_from_a_pipe_is_stored_hashed_and_audited(site, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", Stdin("24681357\n"))
    assert cli.main(["set-pin", "--config", str(site), "--operator", "1001"]) == 0
    assert "PIN set for operator 1001" in capsys.readouterr().out
    settings = settings_mod.load(site)
    store = PinStore(settings.resolve("operators.sqlite3"), b"set-pin-test-pepper")
    assert store.verify("1001", "24681357") and not store.verify("1001", "24681358")
    audit = AuditLog(settings.resolve("audit.sqlite3"), FakeClock())
    assert [(e.operator_id, e.action, e.detail) for e in audit.entries()] == [
        ("cli", "set_pin", {"operator": "1001"})]
    assert b"24681357" not in b"".join(p.read_bytes() for p in tmp_path.glob("*.sqlite3*"))


@pytest.mark.parametrize("argv", [["--pin", "24681357"], ["24681357"]])
def test_a_pin_given_as_an_argument_is_refused(site, argv, capsys, tmp_path):
    status = cli.main(["set-pin", "--config", str(site), "--operator", "1001", *argv])
    err = capsys.readouterr().err
    assert status == 2 and "PIN on the command line is refused" in err
    assert "24681357" not in err
    assert not (tmp_path / "operators.sqlite3").exists()


def test_on_a_terminal_the_pin_is_asked_twice_and_must_match(site, monkeypatch, capsys):
    answers = iter(["24681357", "24681358"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin", Stdin("", tty=True))
    assert cli.main(["set-pin", "--config", str(site), "--operator", "1001"]) == 2
    assert "the two PINs differ" in capsys.readouterr().err


@pytest.mark.parametrize("operator, pin, message", [
    ("1001", "12345", "6 to 12 digits"), ("alice", "123456", "operator id")])
def test_bad_pin_or_operator_is_explained(site, monkeypatch, capsys, operator, pin, message):
    monkeypatch.setattr("sys.stdin", Stdin(pin + "\n"))
    assert cli.main(["set-pin", "--config", str(site), "--operator", operator]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("pin", ["000000", "123456", "890123", "121212", "1001"*2])
def test_a_trivial_pin_is_refused_and_nothing_is_stored(site, tmp_path, monkeypatch, capsys, pin):
    monkeypatch.setattr("sys.stdin", Stdin(f"{pin}\n"))
    assert cli.main(["set-pin", "--config", str(site), "--operator", "1001"]) == 2
    err = capsys.readouterr().err
    assert "kiosk set-pin: this PIN is too easy to guess" in err and "Traceback" not in err
    assert not (tmp_path / "operators.sqlite3").exists()
