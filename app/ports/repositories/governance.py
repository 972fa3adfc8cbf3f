"""Repository of governance proposals and votes, and the one read of the auth module the
quorum needs (how many members there are)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.domain.governance.model import Proposal, Vote
from app.ports.repositories.platform import PlatformUoW


class GovernanceRepository(Protocol):
    def add(self, proposal: Proposal) -> None: ...

    def get(self, proposal_id: str) -> Proposal | None: ...

    def get_for_update(self, proposal_id: str) -> Proposal | None:
        """The proposal, locked until the unit ends."""
        ...

    def save(self, proposal: Proposal) -> None: ...

    def newest(self, offset: int, limit: int) -> tuple[list[Proposal], int]:
        """Newest first."""
        ...

    def by_content_hash(self, content_hash: bytes) -> Proposal | None:
        """The proposal whose text hashes to this (locked)."""
        ...

    def by_chain_id(self, contract: str, chain_proposal_id: int) -> Proposal | None:
        """The proposal the contract at `contract` numbers so (locked)."""
        ...

    def due_for_closing(self, now: datetime, limit: int) -> list[str]:
        """Ids of active proposals whose voting ended by `now`, oldest end first."""
        ...

    def member_count(self) -> int:
        """Users who are governance members or platform admins (not disabled)."""
        ...

    def add_vote(self, vote: Vote) -> None:
        """Store a vote; a second one of the same voter on the proposal is refused
        (`AlreadyVoted`)."""
        ...

    def get_vote(self, vote_id: str) -> Vote | None: ...

    def get_vote_for_update(self, vote_id: str) -> Vote | None:
        """The vote, locked until the unit ends (the job and the indexer both write it)."""
        ...

    def save_vote(self, vote: Vote) -> None: ...

    def vote_of(self, proposal_id: str, voter_address: str) -> Vote | None:
        """The vote cast on the proposal from this address, if the platform sent it
        (locked)."""
        ...

    def uncounted_votes(self, proposal_id: str) -> int:
        """Votes of the proposal still pending (not indexed, nor failed)."""
        ...


class GovernanceUoW(PlatformUoW, Protocol):
    @property
    def governance(self) -> GovernanceRepository: ...
