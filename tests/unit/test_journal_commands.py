"""``kiosk journal …`` and ``kiosk report``: what an operator reads, masked numbers only."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.cli import main
from kiosk.clock import FakeClock
from kiosk.journal import Journal

NUMBER = "85291234567"


@pytest.fixture
def owner(tmp_path):
    """A journal held open by its owner (as the running kiosk would), with four purchases."""
    today_noon = datetime.now(ZoneInfo("Asia/Hong_Kong")).replace(hour=12, minute=0)
    j = Journal.open(tmp_path / "j.sqlite3", "K01", FakeClock(today_noon.timestamp()))
    done = j.create("card", NUMBER, "P30", "Q", {"en": "30-day"}, 8820, 9800, "en")
    for state in ("sale_pending", "paid", "credit_pending", "credited"):
        j.advance(done.id, state)
    waiting = j.create("fps", "8613812345678", "P1", "Q", {}, 1800, 1800, "zh-Hans")
    j.advance(waiting.id, "order_pending")
    stuck = j.create("wechatpay", NUMBER, "P1", "Q", {}, 1800, 1800, "en")
    j.advance(stuck.id, "needs_attention", attention_reason="refund outcome unknown")
    gone = j.create("fps", NUMBER, "P1", "Q", {}, 500, 500, "en")
    j.advance(gone.id, "order_pending")
    j.advance(gone.id, "cancelled")
    j.ids = [done.id, waiting.id, stuck.id, gone.id]
    yield j
    j.close()


def run(capsys, owner, *argv):
    status = main([*argv, "--journal", str(owner.path)])
    out, err = capsys.readouterr()
    assert NUMBER not in out and "8613812345678" not in out
    return status, out, err


def test_report_text_and_json_while_the_kiosk_runs(capsys, owner):
    status, out, _ = run(capsys, owner, "report")
    assert status == 0
    assert any(ln.split() == ["card", "credited", "1", "88.20"] for ln in out.splitlines())
    status, out, _ = run(capsys, owner, "report", "--json", "--date", owner.today().isoformat())
    data = json.loads(out)
    assert data["methods"]["card"]["credited"] == {"count": 1, "amount_cents": 8820}
    assert data["state_totals"]["cancelled"] == {"count": 1, "amount_cents": 500}
    assert data["count"] == 4


def test_report_of_another_day_is_empty(capsys, owner):
    status, out, _ = run(capsys, owner, "report", "--date", "2001-01-01", "--json")
    assert status == 0 and json.loads(out)["count"] == 0


def test_list(capsys, owner):
    status, out, _ = run(capsys, owner, "journal", "list")
    lines = out.splitlines()
    assert status == 0 and lines[0].split()[:3] == ["id", "time", "state"]
    assert [ln.split()[0] for ln in lines[1:]] == owner.ids[::-1]
    assert "*******4567" in out
    status, out, _ = run(capsys, owner, "journal", "list", "--json", "--limit", "2")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == owner.ids[:1:-1]
    assert all("msisdn" not in r and r["msisdn_masked"] for r in rows)


def test_show_by_terminal_ref(capsys, owner):
    status, out, _ = run(capsys, owner, "journal", "show", "K01-000001", "--json")
    data = json.loads(out)
    assert status == 0 and data["transaction"]["id"] == owner.ids[0]
    assert data["transaction"]["state"] == "credited"
    assert [e["to_state"] for e in data["events"]] == [
        "created", "sale_pending", "paid", "credit_pending", "credited"]
    status, out, _ = run(capsys, owner, "journal", "show", owner.ids[0])
    assert "sale_pending -> paid" in out and "*******4567" in out


def test_show_unknown_ref(capsys, owner):
    status, _, err = run(capsys, owner, "journal", "show", "K01-777777")
    assert status == 1 and "no transaction" in err


def test_pending(capsys, owner):
    status, out, _ = run(capsys, owner, "journal", "pending", "--json")
    data = json.loads(out)
    assert [t["id"] for t in data["unfinished"]] == [owner.ids[1]]
    assert [t["id"] for t in data["needs_attention"]] == [owner.ids[2]]
    assert data["unfinished"][0]["msisdn_masked"] == "*********5678"
    status, out, _ = run(capsys, owner, "journal", "pending")
    assert "unfinished: 1" in out and "needs attention: 1" in out
    assert "refund outcome unknown" in out


def test_missing_journal(capsys, tmp_path):
    status = main(["report", "--journal", str(tmp_path / "none.sqlite3")])
    assert status == 1 and "no journal" in capsys.readouterr().err


@pytest.mark.parametrize("before", [True, False])
def test_journal_path_from_the_settings_profile(capsys, owner, tmp_path, before):
    profile = tmp_path / "site.toml"
    profile.write_text(f'[kiosk]\nid = "K01"\ndata_dir = "{owner.path.parent}"\n'
                       f'[journal]\npath = "{owner.path.name}"\n', encoding="utf-8")
    argv = (["journal", "--config", str(profile), "list", "--json"] if before
            else ["journal", "list", "--json", "--config", str(profile)])
    assert main(argv) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4
    assert main(["report", "--config", str(profile)]) == 0
    assert "kiosk K01" in capsys.readouterr().out


def test_list_of_a_day(capsys, owner):
    status, out, _ = run(capsys, owner, "journal", "list", "--json", "--date",
                         owner.today().isoformat())
    assert status == 0 and len(json.loads(out)) == 4
    status, out, _ = run(capsys, owner, "journal", "list", "--date", "2001-01-01")
    assert status == 0 and out.strip() == "(no transactions)"
    with pytest.raises(SystemExit):
        main(["journal", "list", "--date", "25/11/2026"])
    assert "not a date" in capsys.readouterr().err
