"""The benchmark table and results.json: one row per figure, budgets judged, no timing asserted."""

from __future__ import annotations

import json

from bench.results import Figure, p95, table, write


def test_verdicts_follow_the_budget():
    assert Figure("a", 30, 12.5, "ms").verdict == "ok"
    assert Figure("b", 30, 30.0, "ms").verdict == "ok"
    assert Figure("c", 1.5, 2.9, "ratio").verdict == "over"
    assert Figure("d", None, 1e9, "ms").verdict == "ok"  # reported only


def test_results_json_is_a_list_of_figures_with_verdicts(tmp_path):
    figures = [Figure("startup: kiosk / bare ratio", 1.5, 1.31, "ratio"),
               Figure("soak app: RSS growth", 10.0, 12.0, "MB"),
               Figure("journal file size", None, 518.7, "MiB")]
    path = tmp_path / "results.json"
    write(figures, path)
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert [set(r) for r in rows] == [{"name", "budget", "measured", "unit", "verdict"}] * 3
    assert [r["verdict"] for r in rows] == ["ok", "over", "ok"]
    assert rows[2]["budget"] is None


def test_table_has_a_header_and_one_line_per_figure():
    text = table([Figure("taps: median", 30, 18.2, "ms"), Figure("x", None, 3, "count")])
    lines = text.splitlines()
    assert lines[0].split() == ["figure", "budget", "measured", "unit", "verdict"]
    assert len(lines) == 4
    assert "≤ 30" in lines[2] and lines[2].rstrip().endswith("ok")
    assert lines[3].split()[1] == "-"


def test_p95_of_a_hundred_values():
    assert p95(range(1, 101)) == 95


def test_a_figure_not_measured_is_never_ok_and_says_why(tmp_path):
    from bench.results import write

    missing = Figure("payment: paid → screen, long poll (p95)", 300, None, "ms", "no long poll")
    assert missing.verdict == "not measured"
    assert "-" in table([missing]).splitlines()[2]
    assert "no long poll" in table([missing])
    write([missing, Figure("x", 1, 0.5, "ms")], tmp_path / "r.json")
    rows = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert rows[0]["measured"] is None and rows[0]["note"] == "no long poll"
    assert "note" not in rows[1]


def test_busy_rows_keep_the_quiet_name_and_take_the_busy_budgets():
    from bench.__main__ import busy_row

    rows = [busy_row(f) for f in (
        Figure("taps: tap to next screen, p95", 33, 40.0, "ms"),
        Figure("QR: order answered → QR on screen (median of 40)", 20, 25.0, "ms"),
        Figure("QR: order answered → QR on screen (p95)", None, 35.0, "ms"),
        Figure("startup: kiosk / bare ratio", 1.25, 1.4, "ratio"),
        Figure("transactions: median / floor", 1.5, 1.2, "ratio"))]
    assert [r.name for r in rows] == [
        "taps: tap to next screen, p95 (busy)",
        "QR: order answered → QR on screen (median of 40) (busy)",
        "QR: order answered → QR on screen (p95) (busy)",
        "startup: kiosk / bare ratio (busy)",
        "transactions: median / floor (busy)"]
    assert [r.budget for r in rows] == [50.0, 30.0, None, None, 1.5]
    assert [r.verdict for r in rows] == ["ok", "ok", "ok", "ok", "ok"]
