"""Outcome codes become sentences staff can act on."""

import pytest

pytest.importorskip("kivy")

from screens.maintenance.text import message  # noqa: E402


def test_known_unknown_and_failed_outcomes():
    assert message("retry_credit.already_credited", {}).startswith("Already credited")
    assert message("settle.settled", {"batch_no": 7}) == "Batch 7 settled and closed."
    assert message("test_print.failed", {"error": "PaperOut", "message": "paper out"}) == \
        "Test print failed: paper out"
    assert message("terminal_status.offline", {}) == "terminal status: offline"
    assert message("", {}) == ""
