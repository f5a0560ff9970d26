"""The journal's file: one owner, corrupt files refused and kept, a full disk loses nothing."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from contract.clock import FakeClock
from kiosk.journal import schema
from kiosk.journal.schema import SCHEMA_VERSION
from kiosk.journal.store import (
    DiskFull,
    Journal,
    JournalCorrupt,
    JournalError,
    JournalLocked,
    JournalMissing,
    JournalReadOnly,
)

OPENER = textwrap.dedent("""
    import sys
    from kiosk.journal.store import Journal, JournalLocked
    try:
        j = Journal.open(sys.argv[1], "K01")
    except JournalLocked as e:
        print(e); sys.exit(3)
    print("opened", flush=True)
    sys.stdin.readline()
""")


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def other_process(path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", OPENER, str(path)], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def add(journal, n=1):
    return [journal.create("card", "85291234567", "P", "Q", {"en": "x" * 40}, 100, 100, "en")
            for _ in range(n)]


def test_second_opener_in_another_process_is_told_who_holds_it(tmp_path):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01", FakeClock()):
        child = other_process(path)
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 3
        assert f"in use by process {os.getpid()}" in out
    child = other_process(path)  # released on close: now the other process may open it
    out, _ = child.communicate("\n", timeout=60)
    assert child.returncode == 0 and "opened" in out


def test_lock_goes_with_a_killed_owner(tmp_path):
    path = tmp_path / "j.sqlite3"
    child = other_process(path)
    try:
        assert child.stdout.readline().strip() == "opened"
        with pytest.raises(JournalLocked) as info:
            Journal.open(path, "K01")
        assert info.value.pid == child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
    Journal.open(path, "K01").close()


def test_second_open_in_the_same_process_is_refused(tmp_path):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01"), pytest.raises(JournalLocked):
        Journal.open(path, "K01")


def test_not_a_database_is_refused_and_kept(tmp_path):
    path = tmp_path / "j.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a journal" * 100)
    before = digest(path)
    with pytest.raises(JournalCorrupt, match="not an SQLite database") as info:
        Journal.open(path, "K01")
    assert "kept" in str(info.value)
    assert digest(path) == before
    with pytest.raises(JournalCorrupt):
        Journal.open_readonly(path)


def test_damaged_pages_fail_the_integrity_check_and_the_file_is_kept(tmp_path):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01", FakeClock()) as j:
        add(j, 150)
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page:5 * page] = b"\x5a" * (3 * page)
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(JournalCorrupt, match="integrity check failed"):
        Journal.open(path, "K01")
    assert digest(path) == before


def test_newer_schema_is_refused_not_downgraded(tmp_path):
    path = tmp_path / "j.sqlite3"
    Journal.open(path, "K01").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(path)
    with pytest.raises(JournalCorrupt, match=f"schema version {SCHEMA_VERSION + 1} is newer"):
        Journal.open(path, "K01")
    assert digest(path) == before


def test_durability_settings_and_schema_version(tmp_path):
    with Journal.open(tmp_path / "j.sqlite3", "K01") as j:
        pragma = {name: j._conn.execute(f"PRAGMA {name}").fetchone()[0]
                  for name in ("journal_mode", "synchronous", "foreign_keys", "user_version")}
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                      "user_version": SCHEMA_VERSION}


def test_disk_full_refuses_the_write_and_loses_nothing(tmp_path):
    path = tmp_path / "j.sqlite3"
    j = Journal.open(path, "K01", FakeClock())
    kept = add(j, 3)
    j.advance(kept[0].id, "sale_pending")
    pages = j._conn.execute("PRAGMA page_count").fetchone()[0]
    j._conn.execute(f"PRAGMA max_page_count = {pages}")  # as if the disk were full now
    with pytest.raises(DiskFull):
        add(j, 500)
    made = j.list(limit=1000)
    j.close()
    with Journal.open(path, "K01", FakeClock()) as again:
        after = again.list(limit=1000)
        assert after == made and len(after) >= 3
        assert [t.seq for t in reversed(after)] == list(range(1, len(after) + 1))
        assert again.get(kept[0].id).state == "sale_pending"
        assert len(again.events(kept[0].id)) == 2
        assert again.create("fps", "85291234567", "P", "Q", {}, 1, 1, "en").seq == len(after) + 1


def test_reader_works_while_the_owner_runs_and_cannot_write(tmp_path):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01", FakeClock()) as owner:
        t = add(owner)[0]
        reader = Journal.open_readonly(path)
        assert reader.get(t.id) == t
        owner.advance(t.id, "sale_pending")
        assert reader.get(t.id).state == "sale_pending"  # sees each commit
        with pytest.raises(JournalReadOnly):
            reader.note(t.id, "x", {})
        reader.close()
    with Journal.open_readonly(path) as reader:  # and after the owner closed
        assert reader.get(t.id).state == "sale_pending"


def test_reader_of_a_missing_journal(tmp_path):
    with pytest.raises(JournalMissing, match="no journal at"):
        Journal.open_readonly(tmp_path / "nothing.sqlite3")
    assert list(tmp_path.iterdir()) == []  # a reader never creates the journal


def test_reader_of_a_journal_file_never_set_up(tmp_path):
    path = tmp_path / "j.sqlite3"
    path.touch()  # created by a kiosk that died before its first migration
    with pytest.raises(JournalMissing, match="no journal tables"):
        Journal.open_readonly(path)
    assert path.stat().st_size == 0
    Journal.open(path, "K01").close()  # the owner still sets it up
    with Journal.open_readonly(path) as reader:
        assert reader.list() == []


def test_reader_of_a_directory(tmp_path):
    with pytest.raises(JournalError, match="cannot be read"):
        Journal.open_readonly(tmp_path)


def test_free_space_check(tmp_path):
    with Journal.open(tmp_path / "j.sqlite3", "K01") as j:
        assert j.free_space_ok(1)
        assert not j.free_space_ok(10**12)  # an exabyte is never free


def test_a_new_migration_is_applied_once_and_keeps_the_rows(tmp_path, monkeypatch):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01") as j:
        t = add(j)[0]
    v2 = ("ALTER TABLE transactions ADD COLUMN loyalty_id TEXT;\n"
          "CREATE INDEX t_loyalty ON transactions (loyalty_id);")
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, v2))
    for _ in range(2):
        with Journal.open(path, "K01") as j:
            assert j._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
            assert j.get(t.id) == t
            j._conn.execute("SELECT loyalty_id FROM transactions").fetchall()


def test_a_failing_migration_leaves_the_file_at_its_version(tmp_path, monkeypatch):
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01") as j:
        t = add(j)[0]
    broken = "ALTER TABLE transactions ADD COLUMN half TEXT;\nCREATE TABLE transactions (x);"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    with pytest.raises(JournalError, match="already exists"):
        Journal.open(path, "K01")
    monkeypatch.undo()
    with Journal.open(path, "K01") as j:
        assert j._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = [r[1] for r in j._conn.execute("PRAGMA table_info(transactions)")]
        assert "half" not in columns and j.get(t.id) == t


WRITER = textwrap.dedent("""
    import sys
    from kiosk.journal.store import Journal
    j = Journal.open(sys.argv[1], "K01")
    while True:
        t = j.create("fps", "85291234567", "P", "Q", {}, 1800, 1800, "en")
        print(t.id, "created", flush=True)
        for state in ("order_pending", "awaiting_payment", "paid", "credit_pending", "credited"):
            j.advance(t.id, state, detail={"pad": "x" * 500})
            print(t.id, state, flush=True)
""")


def test_sigkill_mid_writes_loses_no_commit_and_leaves_nothing_half_written(tmp_path):
    path = tmp_path / "j.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reported: dict[str, str] = {}
    try:
        for _ in range(157):  # stop somewhere in the middle of a purchase
            txn_id, state = child.stdout.readline().split()
            reported[txn_id] = state
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
    order = ["created", "order_pending", "awaiting_payment", "paid", "credit_pending", "credited"]
    with Journal.open(path, "K01") as j:  # opens: integrity check passed
        rows = j.list(limit=1000)
        assert [t.seq for t in reversed(rows)] == list(range(1, len(rows) + 1))
        for t in rows:
            events = j.events(t.id)
            assert [e.to_state for e in events] == order[:order.index(t.state) + 1]
            if t.id in reported:  # every reported commit is there (perhaps one step further)
                assert order.index(t.state) >= order.index(reported[t.id])
        assert set(reported) <= {t.id for t in rows}
