"""The governance contract (version 2) on the in-process EVM and on anvil: relayed
proposals, one vote per voter and proposal, and execution once passed."""

from __future__ import annotations

import time

import pytest

from app.adapters.chain.governance import read_proposal
from app.domain.chain.errors import CallReverted as TransactionReverted
from tests.integration.test_chain_adapters import ALICE, BOB, Chain, chain, events

pytest_plugins = ["tests.integration.chain_node"]
__all__ = ["chain"]  # the fixture, on both chains


def test_a_relayed_proposal_counts_one_vote_per_voter_and_executes_once_passed(
    chain: Chain,
) -> None:
    gov, content = chain.governance, bytes(range(32))
    ends = max(chain.timestamp(), int(time.time())) + 4
    created = gov.propose(content, ALICE, ends, 2)
    voted = gov.cast_vote(1, ALICE, 1)
    gov.cast_vote(1, BOB, 2)
    with pytest.raises(TransactionReverted, match="already voted"):
        gov.cast_vote(1, BOB, 0)
    with pytest.raises(TransactionReverted, match="not passed"):
        gov.execute(1)  # voting has not ended

    assert events(created) == [
        ("ProposalCreated", {
            "id": 1, "proposer": ALICE, "contentHash": "0x" + content.hex(),
            "votingEndsAt": ends, "quorum": 2,
        }),
    ]  # fmt: skip
    assert events(voted) == [("VoteCast", {"id": 1, "voter": ALICE, "support": 1})]
    on_chain = read_proposal(chain.w3, chain.deployment.governance_address, 1)
    assert (on_chain.votes_for, on_chain.votes_against, on_chain.votes_abstain) == (1, 0, 1)
    time.sleep(max(0.0, ends - time.time()) + 1.1)
    chain.mine(1)
    assert events(gov.execute(1)) == [("ProposalExecuted", {"id": 1})]
    with pytest.raises(TransactionReverted, match="already executed"):
        gov.execute(1)
