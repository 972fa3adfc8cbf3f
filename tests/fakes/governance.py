"""In-memory governance: proposals and votes (a second vote of a member on a proposal is
refused as the unique key refuses it), the governance contract's calls encoded as JSON,
the events the fake contract emits for them, and the unit of work of governance's use
cases, jobs and projection (over the ledger's fakes: custody and the chain's log)."""

from __future__ import annotations

import copy
import json
from datetime import datetime

from app.domain.chain.model import ContractCall
from app.domain.governance.errors import AlreadyVoted
from app.domain.governance.model import Proposal, ProposalStatus, Vote, VoteStatus
from app.ports.chain import Receipt
from tests.fakes.chain import FakeNode
from tests.fakes.clock import FakeClock
from tests.fakes.ledger import FakeLedgerUoW

GOVERNANCE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


class FakeGovernanceRepository:
    def __init__(self) -> None:
        self.proposals: dict[str, Proposal] = {}
        self.votes: dict[str, Vote] = {}
        self.members = 1

    def add(self, proposal: Proposal) -> None:
        self.proposals[proposal.id] = copy.deepcopy(proposal)

    def get(self, proposal_id: str) -> Proposal | None:
        return copy.deepcopy(self.proposals.get(proposal_id))

    def get_for_update(self, proposal_id: str) -> Proposal | None:
        return self.get(proposal_id)

    def save(self, proposal: Proposal) -> None:
        self.proposals[proposal.id] = copy.deepcopy(proposal)

    def newest(self, offset: int, limit: int) -> tuple[list[Proposal], int]:
        found = sorted(self.proposals.values(), key=lambda p: (p.created_at, p.id), reverse=True)
        return copy.deepcopy(found[offset : offset + limit]), len(found)

    def by_content_hash(self, content_hash: bytes) -> Proposal | None:
        found = [p for p in self.proposals.values() if p.content_hash == content_hash]
        return copy.deepcopy(found[0]) if found else None

    def by_chain_id(self, contract: str, chain_proposal_id: int) -> Proposal | None:
        found = [
            p
            for p in self.proposals.values()
            if p.chain_proposal_id == chain_proposal_id
            and (p.chain_contract or "").lower() == contract.lower()
        ]
        return copy.deepcopy(found[0]) if found else None

    def due_for_closing(self, now: datetime, limit: int) -> list[str]:
        due = [
            p
            for p in self.proposals.values()
            if p.status == ProposalStatus.ACTIVE and p.voting_ends_at <= now
        ]
        return [p.id for p in sorted(due, key=lambda p: (p.voting_ends_at, p.id))][:limit]

    def member_count(self) -> int:
        return self.members

    def add_vote(self, vote: Vote) -> None:
        if any(
            (v.proposal_id, v.voter_id) == (vote.proposal_id, vote.voter_id)
            for v in self.votes.values()
        ):
            raise AlreadyVoted("you already voted on this proposal")
        self.votes[vote.id] = copy.deepcopy(vote)

    def get_vote(self, vote_id: str) -> Vote | None:
        return copy.deepcopy(self.votes.get(vote_id))

    def get_vote_for_update(self, vote_id: str) -> Vote | None:
        return self.get_vote(vote_id)

    def save_vote(self, vote: Vote) -> None:
        self.votes[vote.id] = copy.deepcopy(vote)

    def vote_of(self, proposal_id: str, voter_address: str) -> Vote | None:
        found = [
            v
            for v in self.votes.values()
            if v.proposal_id == proposal_id
            and (v.voter_address or "").lower() == voter_address.lower()
        ]
        return copy.deepcopy(found[0]) if found else None

    def uncounted_votes(self, proposal_id: str) -> int:
        return sum(
            1
            for v in self.votes.values()
            if v.proposal_id == proposal_id and v.status == VoteStatus.PENDING
        )


class FakeGovernanceUoW(FakeLedgerUoW):
    REPOSITORIES = (*FakeLedgerUoW.REPOSITORIES, "governance")

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.governance = FakeGovernanceRepository()
        super().__init__(clock)


class FakeGovernanceCalls:
    """`GovernanceCalls` whose data is the call as JSON, so the fake contract acts on it."""

    def _call(self, function: str, **args: object) -> ContractCall:
        data = json.dumps({"function": function, "args": args}, sort_keys=True).encode()
        return ContractCall(f"CarbonGovernance.{function}", GOVERNANCE, data)

    def propose(
        self, content_hash: bytes, proposer: str, voting_ends_at: int, quorum: int
    ) -> ContractCall:
        return self._call(
            "propose",
            contentHash="0x" + content_hash.hex(),
            proposer=proposer,
            votingEndsAt=voting_ends_at,
            quorum=quorum,
        )

    def cast_vote(self, chain_proposal_id: int, voter: str, support: int) -> ContractCall:
        return self._call("castVote", id=chain_proposal_id, voter=voter, support=support)

    def execute(self, chain_proposal_id: int) -> ContractCall:
        return self._call("execute", id=chain_proposal_id)


class FakeGovernanceNode(FakeNode):
    """The fake node with a governance contract: numbers proposals from 1, emits the
    contract's events (it checks nothing the real contract checks)."""

    proposals = 0

    def _mine(self, tx_hash: str) -> Receipt:
        call = self.calls[tx_hash]
        if self.chain is None or call.to != GOVERNANCE:
            return super()._mine(tx_hash)
        decoded = json.loads(call.data)
        function, args = decoded["function"], decoded["args"]
        if function == "propose":
            self.proposals += 1
            event = ("ProposalCreated", {"id": self.proposals, **args})
        elif function == "castVote":
            event = ("VoteCast", args)
        else:
            event = ("ProposalExecuted", args)
        return self.chain.mine(event, tx_hash=tx_hash, address=GOVERNANCE)
