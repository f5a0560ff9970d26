"""Every key of config/default.toml has a rule, and bad values of every key are refused by name."""

import json
import tomllib

import pytest

from kiosk.settings import DEFAULT_FILE, SettingsError, load
from kiosk.settings import rules as settings_rules


def default_keys() -> dict:
    """Dotted key -> default value, for every leaf of config/default.toml."""
    with open(DEFAULT_FILE, "rb") as f:
        tree = tomllib.load(f)
    out = {}

    def walk(node, prefix):
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out[f"{prefix}{key}"] = value
    walk(tree, "")
    return out


DEFAULTS = default_keys()

# Text keys whose meaning is checked: a value that has the right kind but the wrong meaning.
BAD_TEXT = {
    "kiosk.id": "K-01",
    "kiosk.location": "   ",
    "kiosk.hotline": "call us",
    "kiosk.default_language": "fr",
    "kiosk.data_dir": "",
    "kiosk.e_receipt_url": "https://receipts.example/r/{reference}",  # no {token}
    "backend.url": "http://backend.example.com",  # plain http off this machine
    "backend.secret_env": "NOT A NAME",
    "backend.ca_bundle": "ca\x00.pem",
    "journal.path": "",
    "journal.timezone": "Mars/Olympus",
    "log.dir": " ",
    "log.level": "LOUD",
    "devices.card_terminal.kind": "usb",
    "devices.card_terminal.port": "/dev/tty\x00S0",
    "devices.card_terminal.link": "bluetooth",
    "devices.card_terminal.scenario": "explode",
    "devices.card_terminal.state_path": "state\x00.json",
    "devices.printer.kind": "laser",
    "devices.printer.port": "/dev/tty\x00S1",
    "devices.printer.link": "usb",
    "devices.printer.output_dir": "",
    "devices.scanner.kind": "camera",
    "devices.scanner.port": "/dev/tty\x00ACM0",
    "devices.scanner.link": "usb",
    "devices.scanner.evdev_device": "/dev/input/\x00event3",
    "privacy.operator_name": "Ex\x00ample",
    "privacy.contact": "dpo@\x00example.hk",
    "privacy.statement_dir": "stat\x00ements",
    "metrics.listen": "9464",
    "metrics.textfile_dir": "text\x00file",
    "fleet.health_path": "",
    "fleet.bundle_dir": " ",
    "fleet.update_state_path": "",
    "accessibility.speech_engine": "festival",
    "accessibility.voice_zh_hant": "yue; rm -rf /",
    "accessibility.voice_zh_hans": "",
    "accessibility.voice_en": "e n",
    "accessibility.output_device": "hw:\x000",
    "display.orientation": "diagonal",
    "simulator.backend.state_path": "a\x00b",
    "maintenance.pepper_env": "",
    "maintenance.pins_path": "",
    "maintenance.audit_path": "",
}
ANY_TEXT = {"backend.secret"}
MAY_BE_EMPTY = {"payments.holds.before"}  # [] switches holds off  # any text is allowed (a demo secret; empty on a real kiosk)


def bad_values(key: str, default) -> list:
    """Wrong kind, wrong sign, out of range, wrong meaning: what fits the key's default."""
    if isinstance(default, bool):
        return ["yes", 1]
    if isinstance(default, int | float):
        return [-1, -0.5, 10**12, "ten", True, [1]]
    if isinstance(default, str):
        return [12345, True, ["x"]] + ([BAD_TEXT[key]] if key in BAD_TEXT else [])
    if isinstance(default, list):
        bad = ["card", ["bitcoin"], [1], ["card", "card"]]
        return bad if key in MAY_BE_EMPTY else bad + [[]]
    raise AssertionError(f"{key}: no bad values for a {type(default).__name__}")


def profile(tmp_path, key: str, value) -> str:
    section, leaf = key.rsplit(".", 1)
    path = tmp_path / "site.toml"
    path.write_text(f"[{section}]\n{leaf} = {json.dumps(value)}\n", encoding="utf-8")
    return path


def test_every_key_of_the_defaults_has_a_rule():
    missing = sorted(set(DEFAULTS) - set(settings_rules.RULES))
    assert not missing, f"keys of config/default.toml without a row in settings_rules.RULES: {missing}"
    stale = sorted(set(settings_rules.RULES) - set(DEFAULTS))
    assert not stale, f"rows of settings_rules.RULES for keys that do not exist: {stale}"


def test_every_text_key_is_checked_for_meaning():
    text_keys = {k for k, v in DEFAULTS.items() if isinstance(v, str)}
    assert text_keys - ANY_TEXT <= set(BAD_TEXT), sorted(text_keys - ANY_TEXT - set(BAD_TEXT))


def test_the_shipped_profiles_pass_their_rules(monkeypatch):
    monkeypatch.setenv("KIOSK_BACKEND_SECRET", "x")
    for name in ("default.toml", "demo.toml", "site.example.toml"):
        load(DEFAULT_FILE.parent / name)


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_every_key_refuses_bad_values_by_name(tmp_path, key):
    for value in bad_values(key, DEFAULTS[key]):
        if key == "devices.card_terminal.scenario":  # only a simulated terminal has scenarios
            path = tmp_path / "site.toml"
            path.write_text(f'[devices.card_terminal]\nkind = "simulator"\n'
                            f"scenario = {json.dumps(value)}\n", encoding="utf-8")
        else:
            path = profile(tmp_path, key, value)
        with pytest.raises(SettingsError) as caught:
            load(path)
        message = str(caught.value)
        assert str(path) in message and key in message, (value, message)


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("journal.min_free_disk_mb", -100, "from 10 to 1048576 MB"),
    ("flow.idle_timeout_s", -5, "from 10 to 600 s"),
    ("payments.card_timeout_s", -1, "from 15 to 300 s"),
    ("maintenance.lockout_s", 60, "from 900 to 86400"),
    ("journal.timezone", "Mars/Olympus", "IANA time zone"),
])
def test_the_message_names_file_key_value_and_range(tmp_path, key, value, allowed):
    path = profile(tmp_path, key, value)
    with pytest.raises(SettingsError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: '{key}' = {value!r}") and ": must be " in message
    assert allowed in message


@pytest.mark.parametrize(("text", "key", "why"), [
    ("[flow]\nidle_timeout_s = 30\nwarning_s = 30\n", "flow.warning_s", "shorter than flow.idle"),
    ("[payments]\nretry_initial_s = 10\nretry_max_s = 5\n", "payments.retry_max_s", "at least"),
    ("[payments]\nqr_expires_in_s = 30\npoll_interval_s = 30\n", "payments.poll_interval_s",
     "shorter than payments.qr_expires_in_s"),
    ('[payments]\nmethods = ["fps", "octopus"]\n[devices.card_terminal]\ntenders = ["card"]\n',
     "payments.methods", "lists octopus, but devices.card_terminal.tenders does not"),
])
def test_keys_are_checked_against_each_other(tmp_path, text, key, why):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=f"site.toml: '{key}' = .*{why}"):
        load(path)


def test_a_value_from_the_command_says_so():
    with pytest.raises(SettingsError, match=r"\(overridden by the command\): 'backend.url'"):
        load(None, {"backend.url": "ftp://x"})


def test_an_edge_of_a_range_is_allowed(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text("[maintenance]\nlockout_s = 900\n[journal]\nmin_free_disk_mb = 10\n"
                    "[flow]\nidle_timeout_s = 10\nwarning_s = 9.5\n", encoding="utf-8")
    s = load(path)
    assert (s.maintenance.lockout_s, s.journal.min_free_disk_mb, s.flow.warning_s) == (900, 10, 9.5)
