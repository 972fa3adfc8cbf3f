"""The governance contract as the platform writes to it: the operator relays a member's
proposal and votes (named by the member's address); the encoded calls are sent through
the chain write-ahead path (`app.domain.chain.services.send_once`)."""

from __future__ import annotations

from typing import Protocol

from app.domain.chain.model import ContractCall


class GovernanceCalls(Protocol):
    def propose(
        self, content_hash: bytes, proposer: str, voting_ends_at: int, quorum: int
    ) -> ContractCall:
        """A proposal of `proposer` (its text's 32-byte hash), voting until the unix time
        `voting_ends_at`, passing with at least `quorum` votes and more for than against."""
        ...

    def cast_vote(self, chain_proposal_id: int, voter: str, support: int) -> ContractCall:
        """`voter`'s vote: 0 against, 1 for, 2 abstain (once per proposal and voter)."""
        ...

    def execute(self, chain_proposal_id: int) -> ContractCall:
        """Record on chain that a passed proposal is executed."""
        ...
