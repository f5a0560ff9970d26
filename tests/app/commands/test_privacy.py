"""``kiosk privacy report``: what the journal still holds of customers' numbers, for an operator."""

import json

import pytest
import time_machine

from app.cli import main
from contract.clock import FakeClock
from kiosk.journal.store import Journal

NUMBER = "85291234567"
NOW = 1_795_579_200.0  # 2026-11-25 04:00 UTC


@pytest.fixture
def owner(tmp_path):
    """A journal held open by the kiosk: one row waiting for payment (2 h old), one credited."""
    j = Journal.open(tmp_path / "j.sqlite3", "K01", FakeClock(NOW - 7200))
    waiting = j.create("fps", NUMBER, "P1", "Q", {}, 1800, 1800, "en")
    j.advance(waiting.id, "order_pending")
    done = j.create("fps", NUMBER, "P1", "Q", {}, 1800, 1800, "en")
    for state in ("order_pending", "awaiting_payment", "paid", "credit_pending", "credited"):
        j.advance(done.id, state)
    j.waiting = waiting.id
    with time_machine.travel(NOW, tick=False):
        yield j
    j.close()


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert NUMBER not in out and NUMBER not in err
    return status, out, err


def test_json_counts_the_waiting_row_with_its_age_and_the_setting(capsys, owner):
    status, out, _ = run(capsys, "privacy", "report", "--json", "--journal", str(owner.path))
    assert status == 0
    data = json.loads(out)
    assert data["full_numbers"] == 1 and data["final_with_full_number"] == 0
    assert data["retention_days"] == 7  # the demo profile's journal.phone_retention_days
    assert data["by_state"] == {"order_pending": {"under_1h": 0, "1h_to_1d": 1,
                                                  "1d_to_retention": 0, "past_retention": 0}}
    assert data["oldest"] == {"id": owner.waiting, "state": "order_pending",
                              "created_at": "2026-11-25T02:00:00.000Z", "age_s": 7200}


def test_text_report(capsys, owner):
    status, out, _ = run(capsys, "privacy", "report", "--journal", str(owner.path))
    assert status == 0
    assert "rows holding a full number: 1 (final: 0, past retention: 0)" in out
    assert f"oldest: {owner.waiting} (order_pending)" in out and "2 h 0 min ago" in out


def test_the_retention_comes_from_the_settings(capsys, owner, tmp_path):
    profile = tmp_path / "site.toml"
    profile.write_text('[backend]\nsecret = "x"\nsecret_env = ""\n'
                       '[journal]\nphone_retention_days = 30\n', encoding="utf-8")
    status, out, _ = run(capsys, "privacy", "report", "--json", "--config", str(profile),
                         "--journal", str(owner.path))
    assert status == 0 and json.loads(out)["retention_days"] == 30


def test_no_journal_is_one_clear_line(capsys, tmp_path):
    status, out, err = run(capsys, "privacy", "report", "--journal", str(tmp_path / "none.sqlite3"))
    assert status == 1 and out == "" and err.startswith("kiosk: no journal at")


def test_statement_prints_each_language_from_the_catalogue(capsys):
    status, out, _ = run(capsys, "privacy", "statement")
    assert status == 0
    assert "[zh-Hant] 個人資料收集聲明  (default)" in out and "[zh-Hans] 个人资料收集声明" in out
    assert "[en] Personal Information Collection Statement  (default)" in out
    assert "at most 7 days" in out and "+852 3000 0000" in out


def test_statement_shows_the_operators_text_and_names_missing_files(capsys, tmp_path):
    folder = tmp_path / "pics"
    folder.mkdir()
    (folder / "en.txt").write_text("Ours: {operator}, {retention}.", encoding="utf-8")
    profile = tmp_path / "site.toml"
    profile.write_text(f'[backend]\nsecret = "x"\nsecret_env = ""\n[privacy]\n'
                       f'statement_dir = "{folder}"\noperator_name = "Demo Telecom Ltd"\n',
                       encoding="utf-8")
    status, out, err = run(capsys, "privacy", "statement", "--config", str(profile))
    assert status == 1
    assert f"({folder / 'en.txt'})\n\nOurs: Demo Telecom Ltd, 7 days." in out
    assert "zh-Hant.txt" in err and "zh-Hans.txt" in err and "en.txt" not in err
