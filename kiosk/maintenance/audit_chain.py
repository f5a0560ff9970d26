"""The audit log's HMAC chain: each entry's HMAC covers the entry and the previous entry's HMAC.

The key is derived from the PIN pepper (``maintenance.pepper_env``, ``KIOSK_PIN_PEPPER`` on a
site), which lives only in the root-owned secrets file, never next to the audit file:

    key = HMAC-SHA256(pepper, "kiosk audit chain v1")

so whoever can rewrite ``audit.sqlite3`` (the kiosk user) but not read the pepper cannot change,
insert or remove an entry without breaking every HMAC after it. Removing the newest entries
leaves a shorter valid chain: the heartbeat sends the latest HMAC (``audit_head``) to the
backend, which can tell when a kiosk's head goes backwards.

An audit file from before the chain keeps its old entries; the first chained entry then says so
(``audit_chain_started``, with how many entries came before and a SHA-256 over them).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KEY_LABEL = b"kiosk audit chain v1"
CHAIN_STARTED = "audit_chain_started"

# (id, at, operator_id, action, result, detail as stored text, hmac or None)
Row = tuple[int, str, str, str, str, str, "str | None"]


def chain_key(pepper: bytes) -> bytes:
    return hmac.new(pepper, KEY_LABEL, hashlib.sha256).digest()


def _message(row: Sequence) -> bytes:
    return json.dumps(list(row[:6]), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_mac(key: bytes, previous: str, row: Sequence) -> str:
    """The HMAC of one entry (its id, time, operator, action, result, detail) after *previous*."""
    return hmac.new(key, previous.encode("ascii") + b"\n" + _message(row),
                    hashlib.sha256).hexdigest()


def unchained_digest(rows: Iterable[Sequence]) -> str:
    """A SHA-256 over entries written before the chain started (their content, in order)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(_message(row) + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainReport:
    entries: int
    unchained: int  # entries from before the chain started (covered by the start entry's digest)
    head: str  # the latest HMAC ("" when nothing is chained)
    broken_id: int | None = None  # the first entry that fails
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.problem


def verify_rows(key: bytes, rows: Sequence[Row]) -> ChainReport:
    """Check the chain over every row (in id order); the first broken entry is named."""
    legacy: list[Row] = []
    previous = ""
    chained = False
    for row in rows:
        row_id, mac = row[0], row[6]
        if not chained and mac is None:
            legacy.append(row)
            continue
        if mac is None:
            return ChainReport(len(rows), len(legacy), previous, row_id,
                               "has no HMAC (written without the key, or the HMAC was removed)")
        if not chained:
            chained = True
            if legacy and not _starts_chain_over(row, legacy):
                return ChainReport(len(rows), len(legacy), previous, legacy[0][0],
                                   "is not covered by the chain (entries before it were "
                                   "changed, added or removed, or their HMACs were removed)")
        if not hmac.compare_digest(entry_mac(key, previous, row), mac):
            return ChainReport(len(rows), len(legacy), previous, row_id,
                               "fails its HMAC (changed, inserted, or an entry before it was "
                               "removed; or the key is not the one it was written with)")
        previous = mac
    if legacy and not chained:
        return ChainReport(len(rows), len(legacy), "", None,
                           "no entry is chained yet (the chain starts when the kiosk next opens"
                           " the audit log with its pepper)")
    return ChainReport(len(rows), len(legacy), previous)


def _starts_chain_over(row: Row, legacy: list[Row]) -> bool:
    if row[3] != CHAIN_STARTED:
        return False
    try:
        detail = json.loads(row[5])
    except ValueError:
        return False
    return (detail.get("unchained_entries") == len(legacy)
            and detail.get("unchained_sha256") == unchained_digest(legacy))
