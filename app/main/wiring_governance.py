"""Governance's wiring that `Platform` inherits: the governance contract's calls (of the
deployment the platform follows) and the periodic close of proposals whose voting ended
(`flask serve`'s `governance` thread, the worker's `governance.close_due` actor)."""

from __future__ import annotations

import functools
import logging
import threading
from typing import Protocol

from app.adapters.chain.setup import ChainSetup
from app.adapters.sql.uow import SqlUnitOfWork
from app.domain.governance.jobs import close_due
from app.ports.clock import Clock
from app.ports.governance import GovernanceCalls

log = logging.getLogger(__name__)

# How often proposals whose voting ended are looked for.
CLOSE_POLL_SECONDS = 30.0


class GovernanceParts(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def chain(self) -> ChainSetup: ...

    def uow(self, request_id: str | None = None) -> SqlUnitOfWork: ...


class GovernanceWiring:
    @functools.cached_property
    def governance_calls(self: GovernanceParts) -> GovernanceCalls:
        return self.chain.governance

    def close_proposals(self: GovernanceParts) -> int:
        """Close the proposals whose voting ended (passed or rejected by the rule)."""
        return close_due(uow=self.uow(request_id="governance"), clock=self.clock)


class Closer(Protocol):
    def close_proposals(self) -> int: ...


def close_proposals_forever(platform: Closer, stop: threading.Event) -> None:
    """`close_proposals` every CLOSE_POLL_SECONDS (safe in several processes: each
    proposal is locked and checked again)."""
    while not stop.is_set():
        try:
            platform.close_proposals()
        except Exception:
            log.exception("closing governance proposals failed; retrying")
        stop.wait(CLOSE_POLL_SECONDS)
