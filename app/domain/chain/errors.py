"""Errors of chain writes."""

from __future__ import annotations

from app.domain.shared.errors import Conflict


class CallReverted(Conflict):
    """The call would revert (checked before anything is signed): nothing was sent."""

    code = "chain_call_reverted"

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"{action} reverted: {reason}")
        self.action = action
        self.reason = reason


class NotMinedYet(RuntimeError):
    """Broadcast, no receipt yet: the job is retried later and finds the same transaction."""


class NodeRefused(RuntimeError):
    """The node turned the signed transaction away for a reason other than its nonce."""


class NonceTaken(RuntimeError):
    """The node says the transaction's nonce is already used."""
