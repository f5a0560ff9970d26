"""Settings: the shipped profiles load, and every kind of bad file names file, key and fault."""

import pytest

from kiosk import settings as settings_mod
from kiosk.settings import SettingsError, load
from kiosk.settings import loading as settings_loading


def write(tmp_path, text):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_profile_is_the_default():
    s = load()
    assert s.kiosk.id == "K01"
    assert s.backend.secret == "demo-kiosk-secret"
    assert s.backend_secret() == "demo-kiosk-secret"
    assert s.simulator.backend.enabled is True
    assert s.devices.card_terminal.kind == "simulator"
    assert "card" in s.payments.methods


def test_site_template_loads_with_secret_from_environment(monkeypatch):
    monkeypatch.setenv("KIOSK_BACKEND_SECRET", "s3cret-from-env")
    s = load(settings_mod.CONFIG_DIR / "site.example.toml")
    assert s.backend_secret() == "s3cret-from-env"
    assert s.devices.printer.port == "/dev/ttyUSB1"


def test_site_secret_missing_from_environment_is_clear(monkeypatch):
    monkeypatch.delenv("KIOSK_BACKEND_SECRET", raising=False)
    s = load(settings_mod.CONFIG_DIR / "site.example.toml")
    with pytest.raises(SettingsError, match="KIOSK_BACKEND_SECRET.*not set"):
        s.backend_secret()


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, '[backend]\nurll = "http://127.0.0.1:1"\n')
    with pytest.raises(SettingsError, match=r"site\.toml: unknown key 'backend\.urll'"):
        load(path)


def test_unknown_section_is_named(tmp_path):
    with pytest.raises(SettingsError, match="unknown key 'printer'"):
        load(write(tmp_path, '[printer]\nport = "x"\n'))


def test_wrong_type_is_named(tmp_path):
    path = write(tmp_path, '[backend]\nread_timeout_s = "ten"\n')
    with pytest.raises(SettingsError, match=r"'backend\.read_timeout_s' must be a float, got str"):
        load(path)


def test_int_where_float_is_fine_but_bool_is_not_int(tmp_path):
    assert load(write(tmp_path, "[backend]\nread_timeout_s = 4\n")).backend.read_timeout_s == 4.0
    with pytest.raises(SettingsError, match="whole number"):
        load(write(tmp_path, "[journal]\nphone_retention_days = true\n"))


def test_bad_value_is_named(tmp_path):
    with pytest.raises(SettingsError, match=r"site\.toml: 'devices.card_terminal.port' = '': must be set"):
        load(write(tmp_path, '[devices.card_terminal]\nkind = "serial"\n'))
    with pytest.raises(SettingsError, match="unknown method 'bitcoin'"):
        load(write(tmp_path, '[payments]\nmethods = ["bitcoin"]\n'))


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(SettingsError, match="not valid TOML"):
        load(write(tmp_path, "[kiosk\n"))
    with pytest.raises(SettingsError, match="settings file not found"):
        load(tmp_path / "nope.toml")


def test_missing_key_in_defaults_is_named(tmp_path, monkeypatch):
    defaults = tmp_path / "default.toml"
    text = settings_mod.DEFAULT_FILE.read_text().replace("max_response_bytes = 1048576", "")
    defaults.write_text(text)
    monkeypatch.setattr(settings_loading, "DEFAULT_FILE", defaults)
    with pytest.raises(SettingsError, match="missing key 'backend.max_response_bytes'"):
        load()


def test_overrides_apply_last():
    s = load(overrides={"backend.url": "http://127.0.0.1:9999", "journal.path": "/tmp/j.db"})
    assert s.backend.url == "http://127.0.0.1:9999"
    assert s.journal.path == "/tmp/j.db"


def test_settings_are_frozen():
    s = load()
    with pytest.raises(AttributeError):
        s.kiosk.id = "X"  # type: ignore[misc]


def test_relative_paths_resolve_under_data_dir():
    s = load()
    assert str(s.resolve(s.journal.path)).endswith("var/demo/journal.sqlite3")
    assert str(s.resolve("/abs/x")) == "/abs/x"
