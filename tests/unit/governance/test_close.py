"""The close sweep, on an injected clock: passed or rejected by the quorum and majority
rule once voting ended, a passed proposal executed on chain, nothing closed twice."""

from __future__ import annotations

import pytest

from app.domain.auth.principal import Principal
from app.domain.chain.errors import CallReverted
from app.domain.governance.model import ProposalStatus
from tests.unit.governance.world import ADMIN, ALICE, BOB, CAROL, GovernanceWorld


def _voted(world: GovernanceWorld, *votes: tuple[Principal, str]) -> str:
    proposal = world.active(hours=24)
    for member, support in votes:
        world.vote(proposal.id, member, support)
    world.settle()
    return proposal.id


def test_nothing_closes_before_the_voting_ends():
    world = GovernanceWorld(members=3)
    pid = _voted(world, (ALICE, "for"), (BOB, "for"))
    world.clock.advance(hours=23, minutes=59)
    assert world.close() == 0
    assert world.proposal(pid).status == ProposalStatus.ACTIVE


def test_a_quorum_with_more_for_than_against_passes_and_is_executed_on_chain():
    world = GovernanceWorld(members=3)
    pid = _voted(world, (ALICE, "for"), (BOB, "abstain"))
    world.clock.advance(hours=24)

    assert world.close() == 1
    assert world.proposal(pid).status == ProposalStatus.PASSED
    assert world.close() == 0  # closed once
    world.settle()  # the execute job, then its ProposalExecuted event
    assert world.proposal(pid).status == ProposalStatus.EXECUTED
    assert [c.action for c in world.node.calls.values()][-1] == "CarbonGovernance.execute"


def test_without_the_quorum_a_proposal_is_rejected():
    world = GovernanceWorld(members=4)  # quorum 3
    pid = _voted(world, (ALICE, "for"), (BOB, "for"))
    world.clock.advance(hours=25)
    world.close()
    assert world.proposal(pid).status == ProposalStatus.REJECTED
    assert "governance.execute" not in world.jobs()


def test_more_for_than_against_passes_and_a_tie_is_rejected():
    world = GovernanceWorld(members=4)
    pid = _voted(world, (ALICE, "for"), (BOB, "against"), (CAROL, "abstain"), (ADMIN, "for"))
    world.clock.advance(hours=25)
    world.close()
    assert world.proposal(pid).status == ProposalStatus.PASSED

    world = GovernanceWorld(members=3)
    pid = _voted(world, (ALICE, "for"), (BOB, "against"))
    world.clock.advance(hours=25)
    world.close()
    assert world.proposal(pid).status == ProposalStatus.REJECTED


def test_a_proposal_waits_while_a_vote_is_on_its_way_to_the_chain():
    world = GovernanceWorld(members=3)
    proposal = world.active(hours=24)
    world.vote(proposal.id, ALICE, "for")
    world.vote(proposal.id, BOB, "for")
    world.clock.advance(hours=24)

    assert world.close() == 0  # its votes are not indexed yet
    world.settle()
    assert world.close() == 1
    assert world.proposal(proposal.id).status == ProposalStatus.PASSED


def test_an_execution_the_contract_refuses_is_retried_by_its_job():
    world = GovernanceWorld(members=1)
    pid = _voted(world, (ALICE, "for"))
    world.clock.advance(hours=24)
    world.close()
    world.node.revert = "CarbonGovernance: not passed"  # the chain's clock not there yet

    with pytest.raises(CallReverted):
        world.run_jobs()
    assert world.proposal(pid).status == ProposalStatus.PASSED
    world.node.revert = None
    world.settle()
    assert world.proposal(pid).status == ProposalStatus.EXECUTED


def test_a_vote_that_never_reaches_the_chain_holds_the_close_for_an_hour_at_most():
    world = GovernanceWorld(members=3)
    proposal = world.active(hours=24)
    world.vote(proposal.id, ALICE, "for")  # its job never runs
    world.clock.advance(hours=24, minutes=59)
    assert world.close() == 0

    world.clock.advance(minutes=1)
    assert world.close() == 1
    assert world.proposal(proposal.id).status == ProposalStatus.REJECTED
    [closed] = [e for e in world.uow.audit_log.entries if e.action == "governance.proposal_closed"]
    assert closed.after["votes_not_indexed"] == 1
