"""The alert rules: valid for promtool, tested by promtool over series that fire and series that
must not, every rule with a summary and a runbook line into a section of the operator guide,
and every metric they name one the kiosk exposes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kiosk.ops.metrics import NAMES

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "deploy" / "prometheus"
GUIDE = ROOT / "docs" / "operator-guide.md"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed: run scripts/setup-system.sh as root "
    "(Debian package 'prometheus')")


def rule_files() -> list[Path]:
    return sorted(p for p in RULES_DIR.iterdir() if p.is_file())


def rules() -> list[dict]:
    out = []
    for path in rule_files():
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            out += group["rules"]
    return out


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


@needs_promtool
def test_only_rule_files_directly_in_the_folder_and_promtool_accepts_them():
    files = rule_files()
    assert files and all(p.suffix == ".yml" for p in files)
    result = subprocess.run([PROMTOOL, "check", "rules", *map(str, files)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_unit_tests_pass():
    tests = sorted((RULES_DIR / "tests").glob("*.yml"))
    assert tests
    result = subprocess.run([PROMTOOL, "test", "rules", *map(str, tests)], cwd=RULES_DIR / "tests",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_not_firing():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (RULES_DIR / "tests").glob("*.yml"))
    cases = [case for doc in [yaml.safe_load(text)] for t in doc["tests"]
             for case in t["alert_rule_test"]]
    for rule in rules():
        mine = [c for c in cases if c["alertname"] == rule["alert"]]
        assert any(c["exp_alerts"] for c in mine), f"{rule['alert']} never expected to fire"
        instances = {a["exp_labels"]["instance"] for c in mine for a in c["exp_alerts"]}
        series = [s["series"] for t in yaml.safe_load(text)["tests"]
                  if any(c["alertname"] == rule["alert"] for c in t["alert_rule_test"])
                  for s in t["input_series"]]
        quiet = {m for s in series for m in re.findall(r'instance="(\w+)"', s)} - instances
        assert quiet or any(not c["exp_alerts"] for c in mine), \
            f"{rule['alert']}: no series that must not fire"


def test_every_rule_has_a_summary_and_a_runbook_into_the_operator_guide():
    sections = anchors(GUIDE.read_text(encoding="utf-8"))
    names = [r["alert"] for r in rules()]
    assert len(names) == len(set(names)) >= 9
    for rule in rules():
        notes = rule["annotations"]
        assert notes["summary"], rule["alert"]
        page, _, anchor = notes["runbook"].partition("#")
        assert page == "docs/operator-guide.md" and anchor in sections, notes["runbook"]


def test_rules_name_only_metrics_the_kiosk_exposes():
    exposed = set(NAMES) | {f"{n}_{s}" for n in NAMES for s in ("bucket", "count", "sum")}
    for rule in rules():
        for name in re.findall(r"\b(kiosk_[a-z0-9_]+)", rule["expr"]):
            assert name in exposed, f"{rule['alert']}: {name} is not a kiosk metric"
