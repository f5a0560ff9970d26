"""``kiosk journal list`` and ``kiosk report`` on a journal with a damaged page: a warning (or
one line when nothing can be read), exit 1, never a traceback; the file is left as it is."""

import hashlib
import sqlite3

import pytest

from app.cli import main
from contract.clock import FakeClock
from kiosk.journal.store import Journal

PAGE = 4096


@pytest.fixture
def journal(tmp_path):
    """A closed journal of 300 purchases (several pages per table and index)."""
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01", FakeClock()) as j:
        for _ in range(300):
            t = j.create("card", "85291234567", "P30", "Q", {"en": "30-day " + "x" * 200},
                         8820, 9800, "en")
            j.advance(t.id, "sale_pending")
    return path


def damage(path, name: str) -> str:
    """Overwrite the root page of table or index *name*; the file's digest afterwards."""
    conn = sqlite3.connect(path)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    conn.close()
    assert size == PAGE and root > 1
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * size)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_list_warns_on_a_journal_failing_its_integrity_check(capsys, journal):
    digest = damage(journal, "events")  # the rows listed are intact, the file is not
    status, out, err = run(capsys, "journal", "list", "--journal", str(journal), "--limit", "3")
    assert status == 1
    assert len(out.splitlines()) == 4  # the header and three rows are still shown
    assert err.startswith(f"kiosk: warning: journal {journal} fails its integrity check (")
    assert "may be incomplete or wrong" in err and len(err.splitlines()) == 1
    assert hashlib.sha256(journal.read_bytes()).hexdigest() == digest


def test_report_warns_too(capsys, journal):
    damage(journal, "events")
    status, out, err = run(capsys, "report", "--journal", str(journal), "--date", "1970-01-01")
    assert status == 1 and "TOTAL" in out
    assert err.startswith(f"kiosk: warning: journal {journal} fails its integrity check (")


def test_report_whose_own_pages_are_damaged_is_one_line(capsys, journal):
    damage(journal, "transactions_report")  # the index the report reads
    status, out, err = run(capsys, "report", "--journal", str(journal), "--date", "1970-01-01")
    assert status == 1 and out == ""
    assert err.splitlines()[-1] == (f"kiosk: journal {journal} is unusable: SQLite says: "
                                    "database disk image is malformed (file kept as it is)")


def test_a_sound_journal_has_no_warning(capsys, journal):
    status, out, err = run(capsys, "journal", "list", "--journal", str(journal), "--limit", "1")
    assert (status, err) == (0, "")
