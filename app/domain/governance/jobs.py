"""Governance's chain writes and its closing sweep.

Each write goes through the one write-ahead path (`ChainWrites`, i.e.
`app.domain.chain.services.send_once`) under its intent (`governance.propose:<proposal>`,
`governance.vote:<vote>`, `governance.execute:<proposal>`): a rerun finds the transaction
signed the first time. The member acts through the operator, named on chain by the
member's custodial address (`app.domain.credits.custody`, created if absent). What the
chain then did comes back through the indexer (`app.domain.governance.projection`), not
from these receipts: the tally is the chain's."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from app.domain.chain.errors import CallReverted
from app.domain.credits.custody import Custody
from app.domain.credits.jobs import ChainJobsUoW, ChainWrites
from app.domain.governance.model import ProposalStatus, VoteStatus
from app.domain.shared.audit import AuditRecord
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.governance import GovernanceCalls
from app.ports.repositories.governance import GovernanceUoW

log = logging.getLogger(__name__)

# How long past its voting end a proposal waits for votes still on their way to the chain
# (sent, not indexed yet) before it is closed with the tally it has.
VOTES_GRACE = timedelta(hours=1)


class GovernanceJobsUoW(GovernanceUoW, ChainJobsUoW, Protocol):
    """Proposals and votes, the custodial accounts and the chain write-ahead log."""


def _unix(at: datetime) -> int:
    return int(at.timestamp())


def propose_on_chain(
    proposal_id: str,
    *,
    uow: GovernanceJobsUoW,
    chain: ChainWrites,
    calls: GovernanceCalls,
    custody: Custody,
) -> None:
    """Write a pending proposal's content hash to the contract (once)."""
    with uow:
        proposal = uow.governance.get(proposal_id)
        if proposal is None or proposal.status != ProposalStatus.PENDING or proposal.tx_hash:
            return
        proposer = custody("user", proposal.proposer_id, uow)
        uow.commit()
    call = calls.propose(
        proposal.content_hash, proposer, _unix(proposal.voting_ends_at), proposal.quorum
    )
    outcome = chain.mined(f"governance.propose:{proposal_id}", call, uow)
    with uow:
        locked = uow.governance.get_for_update(proposal_id)
        if locked is None:
            return
        if isinstance(outcome, str):
            locked.error = outcome[:1000]
            log.error("governance: proposal %s not written to the chain: %s", proposal_id, outcome)
        elif locked.tx_hash is None:
            locked.tx_hash = outcome.tx_hash
        uow.governance.save(locked)
        uow.commit()


def vote_on_chain(
    vote_id: str,
    *,
    uow: GovernanceJobsUoW,
    chain: ChainWrites,
    calls: GovernanceCalls,
    custody: Custody,
) -> None:
    """Cast a recorded vote on chain for the member's custodial address (once)."""
    with uow:
        vote = uow.governance.get_vote_for_update(vote_id)
        if vote is None or vote.status != VoteStatus.PENDING or vote.tx_hash:
            return
        proposal = uow.governance.get(vote.proposal_id)
        if proposal is None or proposal.chain_proposal_id is None:
            raise RuntimeError(f"vote {vote_id}: its proposal is not on chain (retried)")
        if vote.voter_address is None:
            vote.voter_address = custody("user", vote.voter_id, uow)
            uow.governance.save_vote(vote)
        uow.commit()
    assert vote.voter_address is not None
    call = calls.cast_vote(proposal.chain_proposal_id, vote.voter_address, vote.support.code)
    outcome = chain.mined(f"governance.vote:{vote_id}", call, uow)
    with uow:
        # Locked: the indexer may have counted it meanwhile (its status is kept).
        locked = uow.governance.get_vote_for_update(vote_id)
        if locked is None:
            return
        if isinstance(outcome, str):
            locked.status, locked.error = VoteStatus.FAILED, outcome[:1000]
            log.error("governance: vote %s refused by the chain: %s", vote_id, outcome)
        elif locked.tx_hash is None:
            locked.tx_hash = outcome.tx_hash
        uow.governance.save_vote(locked)
        uow.commit()


def execute_on_chain(
    proposal_id: str, *, uow: GovernanceJobsUoW, chain: ChainWrites, calls: GovernanceCalls
) -> None:
    """Ask the contract to execute a passed proposal. A call the contract refuses (its
    block time not yet past the voting end, say) raises, and the job is retried."""
    with uow:
        proposal = uow.governance.get(proposal_id)
    if proposal is None or proposal.status != ProposalStatus.PASSED:
        return
    if proposal.chain_proposal_id is None:
        return
    try:
        chain.send(
            f"governance.execute:{proposal_id}", calls.execute(proposal.chain_proposal_id), uow
        )
    except CallReverted:
        log.warning("governance: proposal %s not executable on chain yet", proposal_id)
        raise


def close_due(*, uow: GovernanceUoW, clock: Clock, limit: int = 100) -> int:
    """Close the active proposals whose voting ended: `passed` or `rejected` by the rule
    (`Proposal.outcome`); a passed one gets its `governance.execute` job. A proposal
    waits while one of its votes is still on its way to the chain (its tally is not
    final), for `VOTES_GRACE` at most. Returns how many were closed; safe in several
    processes at once."""
    now = clock.now()
    closed = 0
    with uow:
        due = uow.governance.due_for_closing(now, limit)
    for proposal_id in due:
        with uow:
            proposal = uow.governance.get_for_update(proposal_id)
            if proposal is None or proposal.status != ProposalStatus.ACTIVE:
                continue
            if now < proposal.voting_ends_at:
                continue
            waiting = uow.governance.uncounted_votes(proposal_id)
            if waiting and now < proposal.voting_ends_at + VOTES_GRACE:
                continue
            outcome = proposal.close(now)
            uow.governance.save(proposal)
            if outcome == ProposalStatus.PASSED:
                uow.enqueue(Job("governance.execute", {"proposal_id": proposal_id}))
            uow.audit(
                AuditRecord(
                    "governance.proposal_closed",
                    "governance_proposal",
                    proposal_id,
                    None,
                    before={"status": ProposalStatus.ACTIVE.value},
                    after={
                        "status": outcome.value,
                        "votes_for": proposal.votes_for,
                        "votes_against": proposal.votes_against,
                        "votes_abstain": proposal.votes_abstain,
                        "quorum": proposal.quorum,
                        "votes_not_indexed": waiting,
                    },
                )
            )
            uow.commit()
            closed += 1
    return closed
