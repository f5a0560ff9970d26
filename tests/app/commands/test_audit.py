"""``kiosk audit verify``: exit 0 on an intact chain; exit 1 naming the first broken entry."""

import sqlite3

import pytest

from app import cli
from contract.clock import FakeClock
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.audit_chain import chain_key

PEPPER = "audit-verify-test-pepper"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_PIN_PEPPER", PEPPER)
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\nid = "K01"\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    audit = AuditLog(tmp_path / "audit.sqlite3", FakeClock(), chain_key(PEPPER.encode()))
    for result in ("wrong_pin", "wrong_pin", "ok"):
        audit.record("1001", "login", result)
    audit.close()
    return path


def test_an_intact_chain_exits_0(site, capsys):
    assert cli.main(["audit", "verify", "--config", str(site)]) == 0
    assert "3 entries, chain intact" in capsys.readouterr().out


def test_an_edited_row_exits_1_naming_it(site, tmp_path, capsys):
    conn = sqlite3.connect(tmp_path / "audit.sqlite3")
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET result = 'ok' WHERE id = 2")
    conn.commit()
    conn.close()
    assert cli.main(["audit", "verify", "--config", str(site)]) == 1
    err = capsys.readouterr().err
    assert "BROKEN: entry 2 fails its HMAC" in err and "Traceback" not in err


def test_a_wrong_pepper_breaks_the_first_entry(site, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_PIN_PEPPER", "not-the-pepper")
    assert cli.main(["audit", "verify", "--config", str(site)]) == 1
    assert "entry 1 fails its HMAC" in capsys.readouterr().err


def test_missing_or_unreadable_files_get_one_line(site, tmp_path, capsys):
    assert cli.main(["audit", "verify", "--config", str(site),
                     "--audit", str(tmp_path / "none.sqlite3")]) == 1
    assert "no audit log at" in capsys.readouterr().err
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    assert cli.main(["audit", "verify", "--config", str(site),
                     "--audit", str(tmp_path / "junk.sqlite3")]) == 1
    assert "cannot be read" in capsys.readouterr().err


def test_without_the_pepper_it_says_which_variable(site, monkeypatch, capsys):
    monkeypatch.delenv("KIOSK_PIN_PEPPER")
    assert cli.main(["audit", "verify", "--config", str(site)]) == 2
    assert "KIOSK_PIN_PEPPER" in capsys.readouterr().err
