"""``kiosk journal …`` and ``kiosk report``: what an operator reads, masked numbers only."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.cli import main
from contract.clock import FakeClock
from kiosk.journal.store import Journal

NUMBER = "85291234567"


# The commands' "today" is the machine's: the tests run at this instant, whatever the real date.
TODAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Asia/Hong_Kong"))


@pytest.fixture
def owner(tmp_path):
    """A journal held open by its owner (as the running kiosk would), with four purchases made
    at noon Hong Kong time on the day the test runs (the wall clock is moved there)."""
    traveller = time_machine.travel(TODAY_NOON.timestamp(), tick=True)  # TZ left as it is
    traveller.start()
    j = Journal.open(tmp_path / "j.sqlite3", "K01", FakeClock(TODAY_NOON.timestamp()))
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
    traveller.stop()


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
    ref = f"K01-{owner.instance}-000001"
    status, out, _ = run(capsys, owner, "journal", "show", ref, "--json")
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


# ----- a fresh kiosk: no journal yet, or a journal without sales -----

SALE_DAY = "2026-11-25"  # FakeClock(SALES_NOON) below: noon of this day in Hong Kong
SALES_NOON = 1_795_579_200.0
READ_ONLY = [["report"], ["report", "--json"], ["report", "--date", SALE_DAY],
             ["journal", "list"], ["journal", "list", "--json"], ["journal", "pending"],
             ["journal", "pending", "--json"], ["journal", "show", "K01-000001"]]


@pytest.fixture
def fresh_profile(tmp_path):
    """A settings profile whose data directory (and so its journal) does not exist yet."""
    profile = tmp_path / "site.toml"
    profile.write_text(f'[kiosk]\nid = "K01"\ndata_dir = "{tmp_path / "data"}"\n',
                       encoding="utf-8")
    return profile


def run_fresh(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("argv", READ_ONLY, ids=" ".join)
def test_no_journal_yet_is_one_line_and_creates_nothing(capsys, fresh_profile, tmp_path, argv):
    status, out, err = run_fresh(capsys, *argv, "--config", str(fresh_profile))
    path = tmp_path / "data" / "journal.sqlite3"
    assert status == 1 and out == ""
    assert err.startswith(f"kiosk: no journal at {path}") and err.count("\n") == 1
    assert "Traceback" not in err
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("argv", READ_ONLY, ids=" ".join)
def test_no_journal_at_the_given_path(capsys, tmp_path, argv):
    path = tmp_path / "none.sqlite3"
    status, _, err = run_fresh(capsys, *argv, "--journal", str(path))
    assert status == 1 and f"no journal at {path}" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", READ_ONLY, ids=" ".join)
def test_a_journal_file_without_tables_is_no_journal_and_is_kept(capsys, tmp_path, argv):
    path = tmp_path / "j.sqlite3"
    path.touch()  # what a kiosk that died while creating its journal leaves behind
    status, _, err = run_fresh(capsys, *argv, "--journal", str(path))
    assert status == 1 and f"no journal at {path}" in err and err.count("\n") == 1
    assert path.stat().st_size == 0


def test_a_directory_in_place_of_the_journal(capsys, tmp_path):
    path = tmp_path / "j.sqlite3"
    path.mkdir()
    status, _, err = run_fresh(capsys, "report", "--journal", str(path))
    assert status == 1 and err == f"kiosk: journal {path} cannot be read: Is a directory\n"


@pytest.fixture
def one_sale(tmp_path):
    """A closed journal with one credited card sale on SALE_DAY and nothing on other days."""
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, "K01", FakeClock(SALES_NOON)) as j:
        t = j.create("card", NUMBER, "P30", "Q", {"en": "30-day"}, 8820, 9800, "en")
        for state in ("sale_pending", "paid", "credit_pending", "credited"):
            j.advance(t.id, state)
    return path


def keys(data) -> object:
    """The shape of JSON data: its dict keys, nested, without the values."""
    return {k: keys(v) for k, v in data.items()} if isinstance(data, dict) else type(data)


def test_report_of_a_day_without_sales_is_zeros_with_the_same_shape(capsys, one_sale):
    status, out, err = run_fresh(capsys, "report", "--json", "--date", SALE_DAY,
                                 "--journal", str(one_sale))
    sales = json.loads(out)
    assert status == 0 and err == ""
    assert sales["method_totals"]["card"] == {"count": 1, "credited_cents": 8820,
                                              "refunded_cents": 0, "refunded_manually_cents": 0}
    status, out, err = run_fresh(capsys, "report", "--json", "--date", "2026-11-26",
                                 "--journal", str(one_sale))
    none = json.loads(out)
    assert status == 0 and err == "kiosk: no transactions on 2026-11-26\n"
    assert none["day"] == "2026-11-26" and none["count"] == 0 and none["methods"] == {}
    assert {k: v for k, v in keys(sales).items() if k != "methods"} == {
        k: v for k, v in keys(none).items() if k != "methods"}
    assert all(t == {"count": 0, "amount_cents": 0} for t in none["state_totals"].values())
    assert all(t == {"count": 0, "credited_cents": 0, "refunded_cents": 0,
                     "refunded_manually_cents": 0}
               for t in none["method_totals"].values())
    assert none["final_states"] == sales["final_states"]


def test_report_of_an_empty_journal(capsys, tmp_path):
    path = tmp_path / "j.sqlite3"
    Journal.open(path, "K01", FakeClock(SALES_NOON)).close()
    status, out, _ = run_fresh(capsys, "report", "--date", SALE_DAY, "--journal", str(path))
    lines = out.splitlines()
    assert status == 0 and lines[0].startswith(f"Settlement report {SALE_DAY}")
    assert "(no transactions)" in lines and lines[-1].split() == ["TOTAL", "transactions", "0"]
    status, out, _ = run_fresh(capsys, "report", "--json", "--date", SALE_DAY,
                               "--journal", str(path))
    data = json.loads(out)
    assert status == 0 and data["count"] == 0
    assert data["state_totals"]["credited"] == {"count": 0, "amount_cents": 0}


def test_list_and_pending_of_an_empty_journal(capsys, tmp_path):
    path = tmp_path / "j.sqlite3"
    Journal.open(path, "K01", FakeClock(SALES_NOON)).close()
    expected = {("list",): "(no transactions)\n", ("list", "--json"): "[]\n",
                ("pending",): "unfinished: 0\nretrying: 0\nneeds attention: 0\n"}
    for action, text in expected.items():
        assert run_fresh(capsys, "journal", *action, "--journal", str(path)) == (0, text, "")
    status, out, _ = run_fresh(capsys, "journal", "pending", "--json", "--journal", str(path))
    assert status == 0 and json.loads(out) == {"unfinished": [], "retrying": [], "needs_attention": []}
    status, _, err = run_fresh(capsys, "journal", "show", "K01-000001", "--journal", str(path))
    assert status == 1 and err == "kiosk: no transaction 'K01-000001'\n"


def test_pending_lists_retrying_rows_apart_from_needs_attention(capsys, owner):
    owner.retry_later(owner.ids[1], "order state unknown", 30.0)
    status, out, _ = run(capsys, owner, "journal", "pending", "--json")
    data = json.loads(out)
    assert status == 0 and data["unfinished"] == []
    assert [(t["id"], t["retry_error"]) for t in data["retrying"]] == [
        (owner.ids[1], "order state unknown")]
    assert [t["id"] for t in data["needs_attention"]] == [owner.ids[2]]
    _, out, _ = run(capsys, owner, "journal", "pending")
    assert "retrying: 1" in out and "order state unknown" in out
