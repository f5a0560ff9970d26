"""Operator PINs: per operator id, 6–12 digits, hashed with scrypt and a per-kiosk pepper.

The pepper is a secret held outside the file (an environment variable named by
``maintenance.pepper_env``), so a copied ``operators.sqlite3`` alone does not allow offline
guessing of 6-digit PINs. The demo profile, and only it, falls back to ``DEMO_PEPPER`` when the
variable is absent.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from kiosk.maintenance.db import Locked
from kiosk.maintenance.pin_policy import ADVICE, weakness
from kiosk.settings import DEMO_FILE, Settings, SettingsError

log = logging.getLogger(__name__)

DEMO_PEPPER = "demo-kiosk-pin-pepper"  # documented in docs/operator-guide.md; demo profile only
# Digits only, so an operator can type the id on the kiosk's own keypad.
_OPERATOR_ID = re.compile(r"^\d{2,8}$")
_PIN = re.compile(r"^\d{6,12}$")


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: n=2**14, r=8, p=1 is about 16 MiB and tens of ms per check."""

    n: int = 2**14
    r: int = 8
    p: int = 1
    dklen: int = 32


DEFAULT_PARAMS = ScryptParams()


class PinError(ValueError):
    """An operator id or PIN does not have the required form."""


def check_operator_id(operator_id: str) -> str:
    if not _OPERATOR_ID.match(operator_id or ""):
        raise PinError("an operator id is 2 to 8 digits (typed on the kiosk's keypad)")
    return operator_id


def check_pin(pin: str) -> str:
    if not _PIN.match(pin or ""):
        raise PinError("a PIN is 6 to 12 digits")
    return pin


def check_new_pin(pin: str, operator_id: str = "") -> str:
    """A PIN about to be set: the form, then not too easy to guess (see ``pin_policy``)."""
    check_pin(pin)
    why = weakness(pin, operator_id)
    if why:
        raise PinError(f"this PIN is too easy to guess ({why}): {ADVICE}")
    return pin


def pepper_from_settings(settings: Settings) -> bytes:
    """The pepper from the environment; the demo value only on the demo profile."""
    name = settings.maintenance.pepper_env
    value = os.environ.get(name, "") if name else ""
    if value:
        return value.encode("utf-8")
    if Path(settings.source).resolve() == DEMO_FILE.resolve():
        log.warning("PIN pepper %s not set: using the demo pepper (demo profile only)", name)
        return DEMO_PEPPER.encode("utf-8")
    raise SettingsError(
        f"{settings.source}: maintenance.pepper_env names {name!r}, which is not set in the environment"
    )


def hash_pin(pin: str, salt: bytes, pepper: bytes, params: ScryptParams = DEFAULT_PARAMS) -> bytes:
    """scrypt(PIN + pepper, salt) with the given cost parameters."""
    return hashlib.scrypt(pin.encode("ascii") + b"\x00" + pepper, salt=salt, n=params.n,
                          r=params.r, p=params.p, dklen=params.dklen, maxmem=64 * 1024 * 1024)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS operators (
    operator_id TEXT PRIMARY KEY,
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    n INTEGER NOT NULL, r INTEGER NOT NULL, p INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
"""


class PinStore:
    """Operator PIN hashes in a small SQLite file (also home of the lockout state)."""

    def __init__(self, path: Path | str, pepper: bytes, params: ScryptParams = DEFAULT_PARAMS):
        if not pepper:
            raise PinError("the PIN pepper is empty")
        self._db = Locked(path)
        self._pepper = pepper
        self._params = params
        with self._db.lock:
            self._db.conn.executescript(_SCHEMA)

    @property
    def db(self) -> Locked:
        return self._db

    def set_pin(self, operator_id: str, pin: str, now: float) -> None:
        """Create or replace an operator's PIN (stored as salt + scrypt hash + its parameters)."""
        check_operator_id(operator_id)
        check_new_pin(pin, operator_id)
        salt = secrets.token_bytes(16)
        digest = hash_pin(pin, salt, self._pepper, self._params)
        p = self._params
        with self._db.lock:
            self._db.conn.execute(
                "INSERT INTO operators (operator_id, salt, hash, n, r, p, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(operator_id) DO UPDATE SET "
                "salt=excluded.salt, hash=excluded.hash, n=excluded.n, r=excluded.r, "
                "p=excluded.p, updated_at=excluded.updated_at",
                (operator_id, salt, digest, p.n, p.r, p.p, now))
        log.info("PIN set for operator %s", operator_id)

    def verify(self, operator_id: str, pin: str) -> bool:
        """True when the operator exists and the PIN matches (constant-time compare)."""
        with self._db.lock:
            row = self._db.conn.execute(
                "SELECT salt, hash, n, r, p FROM operators WHERE operator_id = ?",
                (operator_id,)).fetchone()
        if row is None or not _PIN.match(pin or ""):
            # Spend the same work for an unknown operator, so timing does not tell ids apart.
            hash_pin("000000", b"\x00" * 16, self._pepper, self._params)
            return False
        salt, stored, n, r, p = row
        params = ScryptParams(n=n, r=r, p=p, dklen=len(stored))
        return hmac.compare_digest(hash_pin(pin, salt, self._pepper, params), stored)

    def operators(self) -> list[str]:
        with self._db.lock:
            rows = self._db.conn.execute("SELECT operator_id FROM operators ORDER BY 1").fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        self._db.close()
