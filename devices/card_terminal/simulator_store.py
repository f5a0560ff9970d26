"""What the terminal simulator remembers: outcomes by ecr_ref, the open batch, its counters.

Kept in a JSON file (written atomically: temp file, fsync, rename) when a path is given, so a
kiosk restarted mid-sale gets a true answer to QUERY from a restarted simulator.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from devices.card_terminal.protocol import TerminalResult

log = logging.getLogger(__name__)


class OutcomeStore:
    """Outcomes of money requests by ecr_ref, the current batch and the count of charges."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else None
        self._lock = threading.RLock()
        self._outcomes: dict[str, TerminalResult] = {}
        self._batch: list[str] = []  # ecr_refs of approved sales, voids and refunds since SETTLE
        self._voided: set[str] = set()
        self._unresolved: dict[str, tuple[TerminalResult, float]] = {}  # Octopus INCOMPLETE
        self.charges = 0  # approved sales actually performed (a replay never adds one)
        self.trace = 0
        self.batch_no = 1
        self._load()

    def get(self, ecr_ref: str) -> TerminalResult | None:
        with self._lock:
            return self._outcomes.get(ecr_ref)

    def record(self, result: TerminalResult) -> None:
        """Store a final outcome (and count a charge for an approved sale)."""
        with self._lock:
            self._outcomes[result.ecr_ref] = result
            if result.approved and result.cmd in ("SALE", "REFUND", "VOID"):
                self._batch.append(result.ecr_ref)
                if result.cmd == "SALE":
                    self.charges += 1
            self._save()

    def find_rrn(self, rrn: str) -> TerminalResult | None:
        """The stored sale with that RRN, if any."""
        with self._lock:
            return next((r for r in self._outcomes.values() if r.cmd == "SALE" and rrn
                         and r.rrn == rrn), None)

    def add_unresolved(self, final: TerminalResult, resolve_at: float) -> None:
        """An Octopus sale answered INCOMPLETE: *final* becomes its outcome at *resolve_at*
        (wall-clock seconds); until then QUERY answers IN_PROGRESS."""
        with self._lock:
            self._unresolved[final.ecr_ref] = (final, resolve_at)
            self._save()

    def unresolved(self, ecr_ref: str, now: float) -> bool:
        """Whether *ecr_ref* is an INCOMPLETE sale still unresolved at *now*; one that is due
        is resolved here (its final outcome stored)."""
        with self._lock:
            entry = self._unresolved.get(ecr_ref)
            if entry is None:
                return False
            final, at = entry
            if now < at:
                return True
            del self._unresolved[ecr_ref]
            self.record(final)
            return False

    def resolve_all(self, ecr_ref: str | None = None) -> int:
        """Resolve unresolved INCOMPLETE sales now (all, or one); how many were."""
        with self._lock:
            refs = [ecr_ref] if ecr_ref else list(self._unresolved)
            done = 0
            for ref in refs:
                if ref in self._unresolved:
                    self._unresolved[ref] = (self._unresolved[ref][0], 0.0)
                    self.unresolved(ref, 0.0)
                    done += 1
            return done

    def next_trace(self) -> str:
        with self._lock:
            self.trace = self.trace % 999_999 + 1
            return f"{self.trace:06d}"

    def voidable(self, orig_ecr_ref: str) -> TerminalResult | None:
        """The approved sale of the current batch with that ref, if it is not voided yet."""
        with self._lock:
            orig = self._outcomes.get(orig_ecr_ref)
            if (orig is None or not orig.approved or orig.cmd != "SALE"
                    or orig_ecr_ref not in self._batch or orig_ecr_ref in self._voided):
                return None
            return orig

    def mark_voided(self, orig_ecr_ref: str) -> None:
        with self._lock:
            self._voided.add(orig_ecr_ref)
            self._save()

    def close_batch(self) -> tuple[int, int]:
        """End the batch: returns (number of items, net amount in cents); a new batch begins."""
        with self._lock:
            net = 0
            for ref in self._batch:
                r = self._outcomes[ref]
                amount = r.amount_cents or 0
                if r.cmd == "SALE" and ref not in self._voided:
                    net += amount
                elif r.cmd == "REFUND":
                    net -= amount
            count = len(self._batch)
            self._batch, self._voided = [], set()
            self.batch_no += 1
            self._save()
            return count, net

    # -- persistence ------------------------------------------------------------------------
    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._outcomes = {k: TerminalResult(**v) for k, v in data["outcomes"].items()}
            self._batch, self._voided = list(data["batch"]), set(data["voided"])
            self.charges, self.trace = int(data["charges"]), int(data["trace"])
            self.batch_no = int(data.get("batch_no", 1))
            self._unresolved = {k: (TerminalResult(**v["final"]), float(v["at"]))
                                for k, v in data.get("unresolved", {}).items()}
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.error("terminal simulator state %s unreadable, starting empty: %s", self.path, e)

    def _save(self) -> None:
        if self.path is None:
            return
        data = {"outcomes": {k: dataclasses.asdict(v) for k, v in self._outcomes.items()},
                "batch": self._batch, "voided": sorted(self._voided), "charges": self.charges,
                "trace": self.trace, "batch_no": self.batch_no,
                "unresolved": {k: {"final": dataclasses.asdict(f), "at": at}
                               for k, (f, at) in self._unresolved.items()}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
