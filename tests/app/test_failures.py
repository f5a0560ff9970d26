"""Expected failures of any ``kiosk`` command: one line on stderr and a status, no traceback."""

import errno
import os
import sqlite3
import subprocess
import sys

import pytest

from app import failures
from app.cli import main
from contract.clock import FakeClock
from kiosk.journal.store import DiskFull, Journal, JournalCorrupt
from kiosk.settings import SettingsError
from tests.child_env import child_env


def raising(error):
    def func(args):
        raise error
    return func


@pytest.mark.parametrize(("error", "status", "line"), [
    (SettingsError("site.toml: 'flow.idle_timeout_s' = -5.0: must be from 10 to 600 s"), 2,
     "kiosk: settings error: site.toml: 'flow.idle_timeout_s' = -5.0: must be from 10 to 600 s"),
    (JournalCorrupt("/data/j.sqlite3", "SQLite says: database disk image is malformed"), 1,
     "kiosk: journal /data/j.sqlite3 is unusable: SQLite says: database disk image is malformed"
     " (file kept as it is)"),
    (DiskFull("journal /data/j.sqlite3: the disk is full (0.2 MB free in /data)"), 1,
     "kiosk: journal /data/j.sqlite3: the disk is full (0.2 MB free in /data)"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "/data/j.sqlite3"), 1,
     "kiosk: /data/j.sqlite3: Is a directory"),
    (PermissionError(errno.EACCES, "Permission denied", "/data/operators.sqlite3"), 1,
     "kiosk: /data/operators.sqlite3: Permission denied"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "/nope/logs"), 1,
     "kiosk: /nope/logs: No such file or directory"),
    (OSError(errno.EROFS, "Read-only file system", "/data/j.sqlite3"), 1,
     "kiosk: /data/j.sqlite3: read-only file system: the kiosk cannot write there"),
    (sqlite3.DatabaseError("database disk image is malformed"), 1,
     "kiosk: SQLite: database disk image is malformed"),
])
def test_each_expected_failure_is_one_line_and_a_status(capsys, error, status, line):
    assert failures.guarded(raising(error), None) == status
    out, err = capsys.readouterr()
    assert out == "" and err == line + "\n"


def test_a_full_disk_from_the_system_says_full_and_what_is_free(capsys, tmp_path):
    error = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))
    assert failures.guarded(raising(error), None) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"kiosk: {tmp_path}/x: the disk is full (") and " MB free)" in err


def test_a_corrupt_sqlite_error_names_the_journal_of_the_command(capsys):
    error = sqlite3.DatabaseError("database disk image is malformed")
    error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
    args = type("Args", (), {"journal": "/data/j.sqlite3"})()
    assert failures.guarded(raising(error), args) == 1
    assert capsys.readouterr().err.startswith("kiosk: journal /data/j.sqlite3 is unusable")


def test_an_unexpected_error_is_still_raised():
    with pytest.raises(ZeroDivisionError):
        failures.guarded(raising(ZeroDivisionError()), None)


def test_bad_timezone_stops_robot_at_settings_load(capsys, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[journal]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    assert main(["robot", "--config", str(site), "--transactions", "1"]) == 2
    err = capsys.readouterr().err
    assert err == (f"kiosk: settings error: {site}: 'journal.timezone' = 'Mars/Olympus': must be "
                   "an IANA time zone known to this system (e.g. Asia/Hong_Kong)\n")


def test_robot_with_the_journal_path_a_folder_is_one_line(capsys, tmp_path):
    (tmp_path / "j").mkdir()
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    assert main(["robot", "--config", str(site), "--journal", str(tmp_path / "j")]) == 2
    assert capsys.readouterr().err == (f"kiosk: settings error: {site}: 'journal.path': "
                                       f"{tmp_path}/j is a folder, not a file\n")


@pytest.mark.parametrize("command", [["doctor"], ["journal", "list"], ["report"]])
def test_bad_settings_stop_every_command_with_the_key(capsys, tmp_path, command):
    site = tmp_path / "site.toml"
    site.write_text("[journal]\nmin_free_disk_mb = -100\n", encoding="utf-8")
    assert main([*command, "--config", str(site)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"kiosk: settings error: {site}: 'journal.min_free_disk_mb' = -100: ")
    assert "Traceback" not in out + err


@pytest.mark.slow
def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01", FakeClock()) as j:
        for _ in range(3):
            j.create("fps", "85291234567", "P1", "Q", {}, 100, 100, "en")
    read_end, write_end = os.pipe()
    os.close(read_end)  # `kiosk journal list | head` after head has quit
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app", "journal", "list", "--journal", str(path)],
            stdout=write_end, stderr=subprocess.PIPE, env=child_env(), timeout=60)
    finally:
        os.close(write_end)
    assert done.returncode == failures.PIPE_STATUS
    assert done.stderr == b""


def test_a_bare_sqlite_error_names_the_unusable_path_of_the_settings(capsys, tmp_path):
    (tmp_path / "operators.sqlite3").mkdir()
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    args = type("Args", (), {"config": str(site), "journal": None})()
    error = sqlite3.OperationalError("unable to open database file")
    assert failures.guarded(raising(error), args) == 1
    assert capsys.readouterr().err == (
        f"kiosk: SQLite: unable to open database file (maintenance.pins_path: "
        f"{tmp_path}/operators.sqlite3 is a folder, not a file)\n")
