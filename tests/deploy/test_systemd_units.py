"""The systemd unit keeps the kiosk alive: restart with limits, watchdog, state and log dirs."""

import configparser
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_kiosk_service_restarts_with_limits_and_a_watchdog():
    u = unit("kiosk.service")
    service = u["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert service["Restart"] == "always" and int(service["RestartSec"]) >= 1
    assert int(service["WatchdogSec"]) >= 10
    assert int(u["Unit"]["StartLimitBurst"]) >= 3 and int(u["Unit"]["StartLimitIntervalSec"]) > 0
    assert service["User"] == "kiosk" and "dialout" in service["SupplementaryGroups"]
    assert service["StateDirectory"] == "kiosk" and service["LogsDirectory"] == "kiosk"
    assert service["EnvironmentFile"] == "/etc/kiosk/secrets.env"
    assert service["ExecStart"].endswith("kiosk run --config /etc/kiosk/site.toml")
    assert service["ExecStartPre"].startswith("-")  # doctor's FAIL never blocks the start


def test_secrets_template_names_the_variables_the_settings_read():
    from kiosk.settings import load

    text = (DEPLOY / "secrets.env.example").read_text(encoding="utf-8")
    defaults = load(Path(__file__).resolve().parents[2] / "config" / "default.toml")
    assert f"{defaults.backend.secret_env}=" in text
    assert f"{defaults.maintenance.pepper_env}=" in text
