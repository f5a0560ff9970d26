"""Idempotency of creating POSTs, per kiosk + request path + key, with a hash of the body.

A repeat with the same body gets the first answer again (201 becomes 200); another body gets
409 ``idempotency_conflict``; a repeat while the first is still being worked on gets 409
``in_flight``. Only answers that settle the request (2xx, 422) are remembered; the records
live in the store, so they survive a restart.
"""

from __future__ import annotations

import hashlib
import json

from simulators.backend.store import Answer, ApiError, Store


def body_hash(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Idempotency:
    def __init__(self, store: Store):
        self._store = store
        self._running: dict[str, str] = {}  # record id -> body hash, in memory only

    def begin(self, kiosk_id: str, path: str, key: str, digest: str) -> tuple[str, Answer | None]:
        """Reserve the key; returns (record id, the replayed answer or None to go ahead).

        Raises:
            ApiError: 409 ``idempotency_conflict`` or ``in_flight``.
        """
        rid = f"{kiosk_id} {path} {key}"
        with self._store.lock:
            done = self._store.data["idempotency"].get(rid)
            running = self._running.get(rid)
            first_hash = done["hash"] if done else running
            if first_hash is not None and first_hash != digest:
                raise ApiError(409, "idempotency_conflict",
                               "this key was used with another request body")
            if done:
                status = 200 if done["status"] == 201 else done["status"]
                return rid, Answer(status, done["body"])
            if running:
                raise ApiError(409, "in_flight", "the first request with this key is running")
            self._running[rid] = digest
            return rid, None

    def finish(self, rid: str, answer: Answer) -> None:
        """Remember a settling answer (2xx or 422) and free the reservation."""
        with self._store.lock:
            digest = self._running.pop(rid, None)
            if digest is not None and (200 <= answer.status < 300 or answer.status == 422):
                self._store.data["idempotency"][rid] = {
                    "hash": digest, "status": answer.status, "body": answer.body}

    def release(self, rid: str) -> None:
        """Free the reservation of a request that did nothing (a fault, a bad request)."""
        with self._store.lock:
            self._running.pop(rid, None)

    def clear(self) -> None:
        with self._store.lock:
            self._running.clear()
