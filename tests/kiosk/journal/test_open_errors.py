"""Opening and writing a journal where the system refuses: one journal error, never a raw
OSError or sqlite3 error; a full disk says it is full and how much is left (never "corrupt")."""

import errno
import sqlite3

import pytest

from contract.clock import FakeClock
from kiosk.journal import schema, store
from kiosk.journal.store import DiskFull, Journal, JournalCorrupt, JournalError


def test_a_folder_in_place_of_the_journal(tmp_path):
    (tmp_path / "j.sqlite3").mkdir()
    with pytest.raises(JournalError, match="j.sqlite3 cannot be read: Is a directory"):
        Journal.open(tmp_path / "j.sqlite3", "K01")


def test_a_parent_that_cannot_be_made(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(JournalError) as caught:
        Journal.open(tmp_path / "file" / "sub" / "j.sqlite3", "K01")
    assert type(caught.value) is JournalError
    assert str(caught.value).startswith(f"journal {tmp_path}/file/sub/j.sqlite3 cannot be opened: ")
    assert "Not a directory" in str(caught.value)


@pytest.mark.parametrize(("error", "said"), [
    (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    (OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
])
def test_no_permission_or_a_read_only_mount(tmp_path, monkeypatch, error, said):
    def refuse(path):
        error.filename = f"{path}.lock"
        raise error
    monkeypatch.setattr(store.FileLock, "acquire", refuse)
    with pytest.raises(JournalError, match=f"j.sqlite3.lock: {said}"):
        Journal.open(tmp_path / "j.sqlite3", "K01")


def test_sqlite_refusing_to_write_is_named_not_called_corrupt(tmp_path, monkeypatch):
    def readonly(conn, path):
        raise sqlite3.OperationalError("attempt to write a readonly database")
    monkeypatch.setattr(schema, "prepare", readonly)
    with pytest.raises(JournalError) as caught:
        Journal.open(tmp_path / "j.sqlite3", "K01")
    assert not isinstance(caught.value, JournalCorrupt)
    assert "readonly database" in str(caught.value)


def io_error() -> sqlite3.OperationalError:
    e = sqlite3.OperationalError("disk I/O error")
    e.sqlite_errorcode = 778  # SQLITE_IOERR_WRITE
    e.sqlite_errorname = "SQLITE_IOERR_WRITE"
    return e


def test_an_io_error_on_a_full_disk_at_open_is_disk_full(tmp_path, monkeypatch):
    def fail(conn, path):
        raise io_error()
    monkeypatch.setattr(schema, "prepare", fail)
    monkeypatch.setattr(schema, "free_bytes", lambda path: 512 * 1024)
    with pytest.raises(DiskFull) as caught:
        Journal.open(tmp_path / "j.sqlite3", "K01")
    message = str(caught.value)
    assert "the disk is full (0.5 MB free in" in message
    assert "unusable" not in message and "corrupt" not in message


def test_an_io_error_with_room_on_the_disk_is_not_disk_full_nor_corrupt(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "free_bytes", lambda path: 10 * 1024**3)
    mapped = schema.map_error(io_error(), tmp_path / "j.sqlite3")
    assert type(mapped) is JournalError and "disk I/O error" in str(mapped)


def test_enospc_is_disk_full(tmp_path):
    mapped = schema.map_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "j")
    assert isinstance(mapped, DiskFull) and "the disk is full" in str(mapped)


def test_a_full_write_says_how_much_is_free(tmp_path):
    j = Journal.open(tmp_path / "j.sqlite3", "K01", FakeClock())
    pages = j._conn.execute("PRAGMA page_count").fetchone()[0]
    j._conn.execute(f"PRAGMA max_page_count = {pages}")  # as if the disk were full now
    with pytest.raises(DiskFull) as caught:
        for _ in range(500):
            j.create("fps", "85291234567", "P1", "Q", {"en": "x" * 500}, 100, 100, "en")
    j.close()
    message = str(caught.value)
    assert message.startswith(f"journal {tmp_path}/j.sqlite3: the disk is full (")
    assert " MB free in " in message and "nothing of it kept" in message
