"""Facts of the governance module (notifications subscribe to them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.domain.shared.events import DomainEvent


@dataclass(frozen=True)
class ProposalCreated(DomainEvent):
    """A proposal is on chain and open for votes (published once, when it first becomes
    active; its recipients are the governance members)."""

    name: ClassVar[str] = "governance.proposal_created"
    proposal_id: str
    title: str
