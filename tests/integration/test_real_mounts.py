"""A real full disk and a real read-only mount (a tiny tmpfs), where this machine lets the test
mount one (root in a container that allows it); skipped elsewhere. The same cases are also
covered everywhere by simulated errors (tests/kiosk/journal/test_open_errors.py,
tests/kiosk/settings/test_paths.py)."""

import errno
import os
import subprocess

import pytest

from contract.clock import FakeClock
from kiosk.journal.store import DiskFull, Journal, JournalError
from kiosk.settings.paths import file_problem


@pytest.fixture
def tiny_fs(tmp_path):
    where = tmp_path / "mnt"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder):
    """Write a file until the file system is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)


@pytest.mark.slow
def test_a_real_full_disk_is_called_full(tiny_fs):
    j = Journal.open(tiny_fs / "j.sqlite3", "K01", FakeClock())
    fill(tiny_fs)
    with pytest.raises(DiskFull) as caught:
        for _ in range(200):
            j.create("fps", "85291234567", "P1", "Q", {"en": "x" * 500}, 100, 100, "en")
    j.close()
    assert f"the disk is full (0.0 MB free in {tiny_fs})" in str(caught.value)
    assert "unusable" not in str(caught.value)


@pytest.mark.slow
def test_a_new_journal_on_a_full_disk_is_disk_full(tiny_fs):
    fill(tiny_fs)
    with pytest.raises(DiskFull, match="the disk is full"):
        Journal.open(tiny_fs / "j.sqlite3", "K01", FakeClock())


@pytest.mark.slow
def test_a_real_read_only_mount(tiny_fs):
    Journal.open(tiny_fs / "j.sqlite3", "K01", FakeClock()).close()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    assert file_problem(tiny_fs / "j.sqlite3") == f"{tiny_fs}/j.sqlite3 is on a read-only file system"
    assert file_problem(tiny_fs / "new" / "j.sqlite3") == (
        f"{tiny_fs}/new does not exist and cannot be created: {tiny_fs} is on a read-only file "
        "system")
    with pytest.raises(JournalError, match="Read-only file system"):
        Journal.open(tiny_fs / "j.sqlite3", "K01", FakeClock())
