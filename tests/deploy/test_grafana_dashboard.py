"""The Grafana dashboard: valid JSON in the provisioning format, a fleet overview and a
per-kiosk drill-down, and queries that name only metrics the kiosk exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from kiosk.ops.metrics import NAMES

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "kiosk-fleet.json"
PROVIDER = ROOT / "deploy" / "grafana" / "kiosk-fleet.yml"
EXPOSED = set(NAMES) | {f"{n}_{s}" for n in NAMES for s in ("bucket", "count", "sum")}
# Words in PromQL that are not metric names: functions, keywords, Grafana variables.
NOT_METRICS = {"sum", "by", "max", "count", "or", "on", "and", "increase", "rate", "time",
               "vector", "histogram_quantile", "le", "without", "bool", "__range"}


def panels(dashboard: dict) -> list[dict]:
    out = []
    for p in dashboard["panels"]:
        out.append(p)
        out += p.get("panels", [])
    return out


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|on|without|ignoring)\s*\([^)]*\)", " ", expr)  # label groupings
    words = set(re.findall(r"(?<![\w$])([a-zA-Z_:][\w:]*)", expr))
    return words - NOT_METRICS


def test_the_dashboard_is_valid_provisioning_json():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] and "id" not in dashboard
    ids = [p["id"] for p in panels(dashboard)]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "instance"} <= variables
    provider = yaml.safe_load(PROVIDER.read_text(encoding="utf-8"))
    assert provider["apiVersion"] == 1 and provider["providers"][0]["type"] == "file"


def test_queries_name_only_metrics_the_kiosk_exposes():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in panels(dashboard) for t in p.get("targets", [])]
    assert len(exprs) >= 15
    for expr in exprs:
        for name in metric_names(expr):
            assert name in EXPOSED or name == "up", f"{name!r} in {expr!r} is not a kiosk metric"


def test_fleet_overview_and_drill_down():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    rows = [p for p in dashboard["panels"] if p["type"] == "row"]
    assert [r["title"].split(":")[0] for r in rows] == ["Fleet overview", "Kiosk drill-down"]
    drill = rows[1]["gridPos"]["y"]
    fleet = " ".join(t["expr"] for p in panels(dashboard) if p.get("gridPos", {}).get("y", 0) < drill
                     for t in p.get("targets", []))
    for needed in ("kiosk_service_state", "kiosk_transactions_total", "kiosk_money_hkd_cents_total",
                   "kiosk_printer_paper_alert", "kiosk_needs_attention_rows"):
        assert needed in fleet, needed
    per_kiosk = [t["expr"] for p in panels(dashboard) if p.get("gridPos", {}).get("y", 0) > drill
                 for t in p.get("targets", [])]
    assert per_kiosk and all("$instance" in e for e in per_kiosk)
