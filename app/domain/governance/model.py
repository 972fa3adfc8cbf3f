"""Proposals and votes of the governance members.

A proposal's text lives in the database; the governance contract keeps its content hash
(`content_hash`: SHA-256 of the canonical JSON of its id, title and description), its
voting end and its quorum, and the votes. Its life:

    pending   written to the database, its `propose` transaction on its way to the chain
    active    the indexer saw its `ProposalCreated` event: members vote until
              `voting_ends_at`
    passed    voting ended with the quorum reached and more votes for than against
    rejected  voting ended otherwise
    executed  the indexer saw its `ProposalExecuted` event (the platform asks for it once
              a proposal passed; the contract checks the same rule)

The rule, written once here and again in the contract: the quorum is fixed when the
proposal is created, as more than half of the governance members then (members // 2 + 1);
a proposal passes when at least that many votes were cast (for, against and abstain all
count) and `votes_for > votes_against`. The tally is never taken from a request: it moves
only with the `VoteCast` events the indexer projects (and back when a reorganization
orphans one)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PASSED = "passed"
    REJECTED = "rejected"
    EXECUTED = "executed"


class Support(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"

    @property
    def code(self) -> int:
        """The contract's encoding: 0 against, 1 for, 2 abstain."""
        return _CODES[self]

    @classmethod
    def of_code(cls, code: int) -> Support:
        return next(s for s, c in _CODES.items() if c == code)


_CODES = {Support.AGAINST: 0, Support.FOR: 1, Support.ABSTAIN: 2}


class VoteStatus(StrEnum):
    PENDING = "pending"  # recorded, its transaction on its way (or its block orphaned)
    COUNTED = "counted"  # its VoteCast event is indexed
    FAILED = "failed"  # the chain refused it


def quorum_of(members: int) -> int:
    """More than half of the members."""
    return members // 2 + 1


def content_hash(proposal_id: str, title: str, description: str) -> bytes:
    text = json.dumps(
        {"id": proposal_id, "title": title, "description": description},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).digest()


@dataclass
class Proposal:
    id: str
    title: str
    description: str
    proposer_id: str
    voting_ends_at: datetime
    quorum: int
    created_at: datetime
    status: ProposalStatus = ProposalStatus.PENDING
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    chain_proposal_id: int | None = None
    chain_contract: str | None = None  # the governance contract that holds it
    tx_hash: str | None = None
    announced: bool = False  # governance.proposal_created was published
    closed_at: datetime | None = None
    error: str | None = None  # why the chain refused it, if it did

    @property
    def content_hash(self) -> bytes:
        return content_hash(self.id, self.title, self.description)

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain

    def open_for_votes(self, now: datetime) -> bool:
        return self.status == ProposalStatus.ACTIVE and now < self.voting_ends_at

    def activate(self, chain_proposal_id: int, contract: str, tx_hash: str) -> None:
        self.status = ProposalStatus.ACTIVE
        self.chain_proposal_id, self.chain_contract, self.tx_hash = (
            chain_proposal_id,
            contract,
            tx_hash,
        )
        self.error = None

    def deactivate(self) -> None:
        """Its ProposalCreated block was orphaned: back to pending until it is mined again."""
        self.status = ProposalStatus.PENDING
        self.chain_proposal_id = self.chain_contract = None

    def count(self, support: Support, sign: int) -> None:
        if support == Support.FOR:
            self.votes_for += sign
        elif support == Support.AGAINST:
            self.votes_against += sign
        else:
            self.votes_abstain += sign

    def outcome(self) -> ProposalStatus:
        """What the rule makes of the tally (see the module docstring)."""
        if self.votes_cast >= self.quorum and self.votes_for > self.votes_against:
            return ProposalStatus.PASSED
        return ProposalStatus.REJECTED

    def close(self, now: datetime) -> ProposalStatus:
        self.status, self.closed_at = self.outcome(), now
        return self.status


@dataclass
class Vote:
    id: str
    proposal_id: str
    voter_id: str
    support: Support
    created_at: datetime
    status: VoteStatus = VoteStatus.PENDING
    voter_address: str | None = None
    tx_hash: str | None = None
    error: str | None = None
