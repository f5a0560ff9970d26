"""The journal, operators, audit log and logs are created 0600 / 0640 whatever the umask."""

import logging
import os
import stat

import pytest

from contract.clock import FakeClock
from kiosk import log as kiosk_log
from kiosk.journal.store import Journal
from kiosk.maintenance.audit import AuditLog
from kiosk.maintenance.pins import PinStore, ScryptParams
from kiosk.private_files import ensure_private


@pytest.fixture
def umask_000():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_maintenance_and_journal_files_are_0600_under_umask_000(tmp_path, umask_000):
    clock = FakeClock()
    pins = PinStore(tmp_path / "data" / "operators.sqlite3", b"pepper", ScryptParams(n=2**10))
    pins.set_pin("1001", "582039", clock.now())
    audit = AuditLog(tmp_path / "data" / "audit.sqlite3", clock, b"k" * 32)
    audit.record("1001", "login", "ok")
    journal = Journal.open(tmp_path / "data" / "journal.sqlite3", "K01", clock)
    try:
        files = sorted(p for p in (tmp_path / "data").iterdir())
        names = {p.name for p in files}
        assert {"operators.sqlite3", "audit.sqlite3", "journal.sqlite3",
                "journal.sqlite3.lock", "audit.sqlite3-wal", "operators.sqlite3-wal"} <= names
        assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o600) for p in files}
        assert mode(tmp_path / "data") == 0o750
    finally:
        journal.close()
        audit.close()
        pins.close()


def test_logs_are_0640_under_umask_000_also_after_rotation(tmp_path, umask_000):
    kiosk_log.setup(tmp_path / "logs", max_bytes=200, backup_count=2, console=False)
    try:
        for i in range(20):
            logging.getLogger("kiosk.test").warning("line %d of some length to rotate", i)
            logging.getLogger("wire.test").debug("wire line %d", i)
        files = sorted((tmp_path / "logs").iterdir())
        assert {"kiosk.log", "kiosk.log.1", "wire.log"} <= {p.name for p in files}
        assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o640) for p in files}
    finally:
        kiosk_log.setup(tmp_path / "logs", "WARNING", console=False)


def test_a_file_left_world_readable_by_an_older_version_is_narrowed(tmp_path):
    path = tmp_path / "operators.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    ensure_private(path)
    assert mode(path) == 0o600


def test_a_path_that_cannot_be_made_is_left_to_the_caller(tmp_path):
    ensure_private(tmp_path)  # a folder: nothing raised, nothing changed
    ensure_private(tmp_path / "missing" / "x.sqlite3")
    assert not (tmp_path / "missing").exists()
