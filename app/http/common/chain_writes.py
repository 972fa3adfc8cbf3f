"""Refuse a request that would write to the chain while the chain cannot take it.

Without this, a mint or a retirement is accepted (202), its job fails against a chain
that does not match the database, and the client waits for a confirmation that never
comes. Placed after the auth decorator and before `idempotent`, so a refusal is neither
shown to strangers nor stored as the answer for the idempotency key."""

from __future__ import annotations

import functools
from typing import Any

from app.http.common.blueprint import View
from app.http.common.deps import platform
from app.http.common.problems import problem

RECOVERY = (
    "Nothing was recorded; retry once an operator has restored the chain file, or reset "
    "the embedded chain with `flask chain reset-embedded` (see the README, 'Embedded "
    "chain: restarts and recovery')."
)


def requires_chain(view: View) -> View:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        reason = platform().chain_problem()
        if reason:
            detail = f"Chain writes are refused: {reason}. {RECOVERY}"
            return problem(
                503, "chain_unavailable", detail, extra={"reason": reason, "recovery": RECOVERY}
            )
        return view(*args, **kwargs)

    return guarded
