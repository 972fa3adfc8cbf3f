"""Errors of the credit ledger."""

from __future__ import annotations

from app.domain.shared.errors import Conflict


class InsufficientCredits(Conflict):
    code = "insufficient_credits"


class ProofPending(Conflict):
    """The project has no stored, signed PoAI bundle yet: nothing is registered on chain
    or minted without it."""

    code = "proof_pending"
