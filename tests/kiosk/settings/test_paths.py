"""The settings' paths, checked for what the kiosk will do with them: one clear reason each.

The suite may run as root, for whom permission bits do not apply, so "not writable" and
"read-only file system" are also shown by making the system say so (os.access, os.statvfs).
"""

import os
from types import SimpleNamespace

import pytest

from kiosk.settings import SettingsError, load
from kiosk.settings import paths as settings_paths
from kiosk.settings.paths import file_problem, folder_problem, problems, require


def settings_in(tmp_path, **overrides):
    return load(None, {"kiosk.data_dir": str(tmp_path / "data"), **overrides})


def test_a_fresh_data_dir_is_fine_it_is_created_on_first_run(tmp_path):
    assert problems(settings_in(tmp_path)) == []
    assert not (tmp_path / "data").exists()  # checking creates nothing


def test_a_folder_where_the_journal_should_be(tmp_path):
    (tmp_path / "data" / "journal.sqlite3").mkdir(parents=True)
    found = dict(problems(settings_in(tmp_path)))
    assert found["journal.path"] == f"{tmp_path}/data/journal.sqlite3 is a folder, not a file"
    with pytest.raises(SettingsError, match=r"demo\.toml: 'journal\.path': .* is a folder"):
        require(settings_in(tmp_path))


def test_a_parent_that_cannot_be_made(tmp_path):
    (tmp_path / "plain-file").write_text("x")
    why = file_problem(tmp_path / "plain-file" / "sub" / "j.sqlite3")
    assert why == f"{tmp_path}/plain-file is not a folder, so {tmp_path}/plain-file/sub cannot be made"


def test_a_missing_parent_under_a_folder_this_user_cannot_write(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(settings_paths.os, "access",
                        lambda p, mode: False if str(p) == str(locked) else real_access(p, mode))
    why = file_problem(locked / "var" / "j.sqlite3")
    assert why.startswith(f"{locked}/var does not exist and cannot be created: the folder "
                          f"{locked} is not writable by this user")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any folder")
def test_a_folder_without_write_permission_really(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    assert "is not writable by this user" in file_problem(locked / "j.sqlite3")


def test_a_file_this_user_cannot_read_or_write(tmp_path, monkeypatch):
    path = tmp_path / "j.sqlite3"
    path.write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(settings_paths.os, "access",
                        lambda p, mode: False if str(p) == str(path) else real_access(p, mode))
    assert file_problem(path) == f"{path} cannot be read and written by this user ({settings_paths._user()})"


def test_a_read_only_mount(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_paths.os, "statvfs",
                        lambda p: SimpleNamespace(f_flag=os.ST_RDONLY))
    assert folder_problem(tmp_path / "logs") == (
        f"{tmp_path}/logs does not exist and cannot be created: {tmp_path} is on a read-only "
        "file system")
    assert file_problem(tmp_path / "j.sqlite3") == f"{tmp_path} is on a read-only file system"
    (tmp_path / "old.sqlite3").write_bytes(b"")
    assert file_problem(tmp_path / "old.sqlite3") == (f"{tmp_path}/old.sqlite3 is on a read-only "
                                                      "file system")


def test_a_relative_data_dir_is_shown_from_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var" / "journal.sqlite3").mkdir(parents=True)
    found = dict(problems(load(None, {"kiosk.data_dir": "var"})))
    assert found["journal.path"] == (
        f"{tmp_path}/var/journal.sqlite3 is a folder, not a file (kiosk.data_dir 'var' is "
        f"relative: taken from the current folder {tmp_path})")


def test_the_command_journal_replaces_the_setting(tmp_path):
    (tmp_path / "data" / "journal.sqlite3").mkdir(parents=True)
    settings = settings_in(tmp_path)
    assert problems(settings, journal=tmp_path / "elsewhere.sqlite3") == []


def test_log_folder_and_ca_bundle(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "logs").write_text("a file, not a folder")
    settings = settings_in(tmp_path, **{"backend.ca_bundle": "missing-ca.pem"})
    found = dict(problems(settings))
    assert "is not a folder" in found["log.dir"]
    assert found["backend.ca_bundle"] == f"{tmp_path}/data/missing-ca.pem is not a readable file"
