"""Proposing and voting: members only, one vote per member, the tally from the chain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.governance.errors import AlreadyVoted, BadProposal, VotingClosed
from app.domain.governance.model import ProposalStatus, VoteStatus, content_hash
from app.domain.shared.errors import PermissionDenied
from tests.unit.builders import NOW
from tests.unit.governance.world import ADMIN, ALICE, BOB, RETAIL, GovernanceWorld


def test_a_new_proposal_is_pending_with_a_quorum_of_more_than_half_the_members():
    world = GovernanceWorld(members=4)
    proposal = world.propose(hours=48)

    stored = world.proposal(proposal.id)
    assert stored.status == ProposalStatus.PENDING
    assert stored.quorum == 3
    assert stored.voting_ends_at == NOW + timedelta(hours=48)
    assert world.jobs() == ["governance.propose"]
    assert world.uow.dispatched == []  # announced once active, not before


def test_only_members_and_admins_propose():
    world = GovernanceWorld()
    with pytest.raises(PermissionDenied):
        world.propose(RETAIL)
    assert world.propose(ADMIN).proposer_id == ADMIN.id


@pytest.mark.parametrize("hours", [0, 24 * 30 + 1])
def test_voting_lasts_between_an_hour_and_thirty_days(hours):
    with pytest.raises(BadProposal):
        GovernanceWorld().propose(hours=hours)


def test_the_indexed_proposal_created_event_activates_and_announces_it():
    world = GovernanceWorld()
    proposal = world.active()

    assert proposal.status == ProposalStatus.ACTIVE
    assert proposal.chain_proposal_id == 1
    assert proposal.tx_hash is not None
    [call] = world.node.calls.values()
    assert call.action == "CarbonGovernance.propose"
    assert (
        content_hash(proposal.id, proposal.title, proposal.description).hex() in call.data.decode()
    )
    [event] = world.uow.dispatched
    assert event.name == "governance.proposal_created"
    assert event.payload()["proposal_id"] == proposal.id
    assert event.payload()["title"] == "Lower the fee"


def test_a_pending_proposal_takes_no_votes():
    world = GovernanceWorld()
    proposal = world.propose()
    with pytest.raises(VotingClosed):
        world.vote(proposal.id, BOB)


def test_a_vote_counts_once_its_vote_cast_event_is_indexed():
    world = GovernanceWorld()
    proposal = world.active()
    vote = world.vote(proposal.id, BOB, "against")
    assert world.proposal(proposal.id).votes_against == 0  # not from the request

    world.settle()

    counted = world.proposal(proposal.id)
    assert (counted.votes_for, counted.votes_against, counted.votes_abstain) == (0, 1, 0)
    stored = world.uow.governance.get_vote(vote.id)
    assert stored is not None
    assert stored.status == VoteStatus.COUNTED
    assert stored.voter_address == world.uow.credits.custodial_address("user", BOB.id)


def test_a_second_vote_of_a_member_is_refused():
    world = GovernanceWorld()
    proposal = world.active()
    world.vote(proposal.id, BOB, "for")
    with pytest.raises(AlreadyVoted):
        world.vote(proposal.id, BOB, "against")
    world.settle()
    assert world.proposal(proposal.id).votes_cast == 1


def test_no_vote_after_the_voting_ends():
    world = GovernanceWorld()
    proposal = world.active(hours=1)
    world.clock.advance(hours=1)
    with pytest.raises(VotingClosed):
        world.vote(proposal.id, ALICE)


def test_an_orphaned_vote_leaves_the_tally_and_comes_back_when_mined_again():
    world = GovernanceWorld()
    proposal = world.active()
    world.vote(proposal.id, BOB, "for")
    world.settle()
    assert world.proposal(proposal.id).votes_for == 1
    [vote_tx] = [h for h, c in world.node.calls.items() if c.action.endswith("castVote")]

    world.chain.reorganize(1)
    world.chain.mine_empty(2)
    world.index()
    assert world.proposal(proposal.id).votes_for == 0
    [vote] = world.uow.governance.votes.values()
    assert vote.status == VoteStatus.PENDING

    world.remine(vote_tx)
    world.index()
    assert world.proposal(proposal.id).votes_for == 1


def test_an_orphaned_proposal_is_pending_again_and_announced_only_once():
    world = GovernanceWorld()
    proposal = world.active()
    [tx] = world.node.calls

    world.chain.reorganize(1)
    world.chain.mine_empty(2)
    world.index()
    assert world.proposal(proposal.id).status == ProposalStatus.PENDING

    world.remine(tx)
    world.index()
    assert world.proposal(proposal.id).status == ProposalStatus.ACTIVE
    assert len(world.uow.dispatched) == 1


def test_a_vote_the_chain_refuses_fails_and_does_not_hold_the_close():
    world = GovernanceWorld(members=1)
    proposal = world.active()
    vote = world.vote(proposal.id, ALICE, "for")
    world.node.revert = "CarbonGovernance: voting ended"
    world.settle()

    stored = world.uow.governance.get_vote(vote.id)
    assert stored is not None
    assert stored.status == VoteStatus.FAILED
    assert "voting ended" in (stored.error or "")
    world.clock.advance(hours=24)
    assert world.close() == 1
    assert world.proposal(proposal.id).status == ProposalStatus.REJECTED


def test_a_proposal_the_chain_refuses_stays_pending_with_the_reason():
    world = GovernanceWorld()
    proposal = world.propose()
    world.node.revert = "CarbonGovernance: caller is not an operator"
    world.settle()

    stored = world.proposal(proposal.id)
    assert stored.status == ProposalStatus.PENDING
    assert "not an operator" in (stored.error or "")


def test_running_the_jobs_again_sends_nothing_twice():
    world = GovernanceWorld()
    proposal = world.active()
    world.vote(proposal.id, BOB, "for")
    world.settle()
    sent = len(world.node.calls)
    for job in world.uow.outbox.jobs.values():
        job.done_at = None  # delivered again
    world.settle()
    assert len(world.node.calls) == sent
    assert world.proposal(proposal.id).votes_for == 1
