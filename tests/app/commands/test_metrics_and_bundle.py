"""``kiosk metrics`` prints the exposition once and agrees with ``kiosk report``;
``kiosk support-bundle`` writes a redacted bundle with the doctor's verdicts."""

from __future__ import annotations

import json
import re
import socket
import tarfile

import pytest

from app.cli import main
from kiosk.journal.store import Journal

PHONE = "93456789"


@pytest.fixture
def profile(tmp_path):
    with socket.socket() as s:  # a port nobody listens on: the doctor's backend check fails fast
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    path = tmp_path / "site.toml"
    path.write_text(
        f'[kiosk]\nid = "K07"\ndata_dir = "{tmp_path}"\n'
        f'[backend]\nurl = "http://127.0.0.1:{closed}"\nsecret = "bundle-test-secret-77"\n'
        'secret_env = ""\nretry_deadline_s = 0.5\n[devices.card_terminal]\nkind = "none"\n'
        '[devices.printer]\nkind = "none"\n[metrics]\nlisten = ""\n'
        f'textfile_dir = "{tmp_path / "textfile"}"\n', encoding="utf-8")
    journal = Journal.open(tmp_path / "journal.sqlite3", "K07")
    for method, amount in (("fps", 9800), ("fps", 4800), ("payme", 16800)):
        t = journal.create(method, PHONE, "P1", "Q1", {"en": "Plan"}, amount, amount, "en")
        for state in ("order_pending", "awaiting_payment", "paid", "credit_pending", "credited"):
            journal.advance(t.id, state)
    journal.create("fps", PHONE, "P1", "Q1", {"en": "Plan"}, 1000, 1000, "en")  # in flight
    journal.close()
    return path


def test_metrics_agree_with_the_report(capsys, profile):
    assert main(["metrics", "--config", str(profile)]) == 0
    text = capsys.readouterr().out
    assert main(["report", "--config", str(profile), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for method, cells in report["methods"].items():
        if "credited" not in cells:
            continue
        n = re.search(rf'kiosk_transactions_total{{method="{method}",state="credited"}} (\S+)', text)
        c = re.search(rf'kiosk_money_hkd_cents_total{{method="{method}",state="credited"}} (\S+)',
                      text)
        assert float(n.group(1)) == cells["credited"]["count"]
        assert float(c.group(1)) == cells["credited"]["amount_cents"]
    assert re.search(r"^kiosk_purchases_in_flight 1\.0$", text, re.M)
    assert PHONE not in text


def test_metrics_textfile_is_written(capsys, profile, tmp_path):
    (tmp_path / "textfile").mkdir()
    assert main(["metrics", "--config", str(profile), "--textfile"]) == 0
    assert "kiosk_transactions_total" in (tmp_path / "textfile" / "kiosk.prom").read_text()


def test_support_bundle_command(capsys, profile, tmp_path):
    out = tmp_path / "bundle.tar.gz"
    assert main(["support-bundle", "--config", str(profile), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    with tarfile.open(out) as tar:
        files = {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()
                 for m in tar.getmembers() if m.isfile()}
    assert "FAIL" in files["doctor.txt"] and "backend" in files["doctor.txt"]
    assert "metrics" in files["doctor.txt"]
    assert len(json.loads(files["journal-pending.json"])) == 1
    everything = "\n".join(files.values())
    assert PHONE not in everything and "bundle-test-secret-77" not in everything


def test_metrics_carry_the_last_health_state(capsys, profile, tmp_path):
    (tmp_path / "health.json").write_text(json.dumps({
        "version": "0.1.0", "started_at": 1796000000.5, "state": "out_of_service",
        "selling": False, "devices": {"card_terminal": "offline", "printer": "online"},
        "paper": "low", "paper_alert": True, "backend_reachable": False}))
    assert main(["metrics", "--config", str(profile)]) == 0
    text = capsys.readouterr().out
    assert 'kiosk_service_state{state="out_of_service"} 1.0' in text
    assert "kiosk_start_time_seconds 1.7960000005e+09" in text
    assert "kiosk_backend_reachable 0.0" in text
    assert "kiosk_device_up" in text and 'device="card_terminal"' not in text  # kind none
