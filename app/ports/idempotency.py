"""Idempotency keys: the first response to a request sent with a key, kept so that a
repeat of the same request gets it again instead of running twice."""

from __future__ import annotations

from typing import Protocol


class IdempotencyClaim(Protocol):
    @property
    def state(self) -> str:
        """ "new" (run the request), "replay" (answer with `status` and `body`),
        "mismatch" (the key was used with another request) or "in_progress"."""
        ...

    @property
    def status(self) -> int | None: ...

    @property
    def body(self) -> str | None: ...


class IdempotencyStore(Protocol):
    def begin(self, caller: str, key: str, fingerprint: str) -> IdempotencyClaim:
        """Claim the caller's key for the request with this fingerprint, or say why not."""
        ...

    def finish(self, caller: str, key: str, status: int, body: str) -> None:
        """Keep the response of a claimed key for its repeats."""
        ...

    def abandon(self, caller: str, key: str) -> None:
        """Release a claimed key without a response (the request failed)."""
        ...
