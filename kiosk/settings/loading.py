"""Loading the settings: the defaults, then a profile, then the command's overrides; typed and
checked against the rules (``kiosk.settings.rules``) before anything uses them."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from pathlib import Path

from kiosk.settings import rules as settings_rules
from kiosk.settings.sections import Settings, SettingsError

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
DEFAULT_FILE = CONFIG_DIR / "default.toml"
DEMO_FILE = CONFIG_DIR / "demo.toml"


def load(path: str | os.PathLike | None = None, overrides: dict | None = None) -> Settings:
    """Load the defaults, then the profile at *path* (default: the demo profile), validated.

    Args:
        path: the profile file; None means ``config/demo.toml``.
        overrides: dotted keys to values (``{"backend.url": "…"}``), applied last; for the command
            line options that change one setting.
    Raises:
        SettingsError: naming the file, the key and what is wrong.
    """
    profile = Path(path) if path else DEMO_FILE
    merged = _read(DEFAULT_FILE)
    origins: dict[str, str] = {}  # dotted key -> the file its value came from (default: defaults)
    if profile.resolve() != DEFAULT_FILE:
        extra = _read(profile)
        _merge(merged, extra, str(profile), "")
        origins.update(dict.fromkeys(_leaf_keys(extra), str(profile)))
    for dotted, value in (overrides or {}).items():
        _set_dotted(merged, dotted, value)
        origins[dotted] = f"{profile} (overridden by the command)"
    settings = _build(Settings, merged, str(profile), "")
    settings = dataclasses.replace(settings, source=str(profile))
    _check(settings, lambda key: origins.get(key, str(DEFAULT_FILE)))
    return settings


def _leaf_keys(tree: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in tree.items():
        if isinstance(value, dict):
            out.extend(_leaf_keys(value, f"{prefix}{key}."))
        else:
            out.append(f"{prefix}{key}")
    return out


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise SettingsError(f"{path}: cannot read: {e.strerror}") from None


def _merge(base: dict, extra: dict, source: str, prefix: str) -> None:
    for key, value in extra.items():
        dotted = f"{prefix}{key}"
        if key not in base:
            raise SettingsError(f"{source}: unknown key {dotted!r}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise SettingsError(f"{source}: {dotted!r} must be a table")
            _merge(base[key], value, source, dotted + ".")
        else:
            base[key] = value


def _set_dotted(tree: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def _build(cls, data: dict, source: str, prefix: str):
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name == "source":
            continue
        dotted = f"{prefix}{f.name}"
        if f.name not in data:
            raise SettingsError(f"{source}: missing key {dotted!r}")
        kwargs[f.name] = _convert(hints[f.name], data[f.name], source, dotted)
    unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
    if unknown:
        raise SettingsError(f"{source}: unknown key {prefix}{sorted(unknown)[0]!r}")
    return cls(**kwargs)


def _convert(hint, value, source: str, dotted: str):
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise SettingsError(f"{source}: {dotted!r} must be a table")
        return _build(hint, value, source, dotted + ".")
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(value, list):
            raise SettingsError(f"{source}: {dotted!r} must be a list, got {value!r}")
        return tuple(_convert(item, v, source, f"{dotted}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"settings field {dotted} uses a union; give it a plain type")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is bool and not isinstance(value, bool):
        raise SettingsError(f"{source}: {dotted!r} must be true or false, got {value!r}")
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise SettingsError(f"{source}: {dotted!r} must be a whole number, got {value!r}")
    if not isinstance(value, hint):
        raise SettingsError(
            f"{source}: {dotted!r} must be a {hint.__name__}, got {type(value).__name__} {value!r}"
        )
    return value


def _check(s: Settings, origin) -> None:
    """Allowed values and ranges (``kiosk/settings/rules.py``); the first problem is raised,
    naming the file the value came from, the key, the value and what is allowed."""
    found = settings_rules.problems(s)
    if found:
        key, why, others = found[0]
        value = settings_rules.value_of(s, key)
        shown = list(value) if isinstance(value, tuple) else value
        files = [origin(k) for k in (key, *others)]
        source = next((f for f in files if f != str(DEFAULT_FILE)), files[0])
        raise SettingsError(f"{source}: {key!r} = {shown!r}: {why}")
