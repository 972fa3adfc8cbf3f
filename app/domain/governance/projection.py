"""What the governance contract's events change, inside the indexer's transaction
(`sign` +1 applies new events, -1 undoes orphaned ones, newest first):

- `ProposalCreated` makes the pending proposal with that content hash `active` (its chain
  id, contract and transaction); the first time, it publishes `governance.proposal_created`
  (the members are notified once, not again when a reorganization mines it anew). Undone,
  the proposal is `pending` again.
- `VoteCast` moves the tally by one (and marks the platform's vote of that address
  `counted`); undone, the tally moves back and the vote is `pending` again.
- `ProposalExecuted` makes a passed proposal `executed`; undone, it is `passed` again.

Events of proposals the platform did not make (another operator's) change nothing."""

from __future__ import annotations

from app.domain.governance.events import ProposalCreated
from app.domain.governance.model import Proposal, ProposalStatus, Support, VoteStatus
from app.domain.shared.chain import ChainEvent
from app.ports.repositories.governance import GovernanceUoW

FOLLOWS = frozenset({"ProposalCreated", "VoteCast", "ProposalExecuted"})


def apply_governance_events(events: list[ChainEvent], uow: GovernanceUoW, sign: int) -> None:
    for event in events:
        if event.name == "ProposalCreated":
            _created(event, uow, sign)
        elif event.name == "VoteCast":
            _voted(event, uow, sign)
        elif event.name == "ProposalExecuted":
            _executed(event, uow, sign)


def _hash_of(value: object) -> bytes:
    return bytes.fromhex(str(value).removeprefix("0x"))


def _created(event: ChainEvent, uow: GovernanceUoW, sign: int) -> None:
    proposal = uow.governance.by_content_hash(_hash_of(event.args["contentHash"]))
    if proposal is None:
        return
    chain_id = int(str(event.args["id"]))
    if sign > 0 and proposal.status == ProposalStatus.PENDING:
        proposal.activate(chain_id, event.address, event.transaction_hash)
        if not proposal.announced:
            proposal.announced = True
            uow.publish(ProposalCreated(proposal.id, proposal.title))
    elif sign < 0 and proposal.chain_proposal_id == chain_id:
        proposal.deactivate()
    else:
        return
    uow.governance.save(proposal)


def _on_chain(event: ChainEvent, uow: GovernanceUoW) -> Proposal | None:
    return uow.governance.by_chain_id(event.address, int(str(event.args["id"])))


def _voted(event: ChainEvent, uow: GovernanceUoW, sign: int) -> None:
    proposal = _on_chain(event, uow)
    if proposal is None:
        return
    proposal.count(Support.of_code(int(str(event.args["support"]))), sign)
    uow.governance.save(proposal)
    vote = uow.governance.vote_of(proposal.id, str(event.args["voter"]))
    if vote is not None and vote.status != VoteStatus.FAILED:
        vote.status = VoteStatus.COUNTED if sign > 0 else VoteStatus.PENDING
        if sign > 0:
            vote.tx_hash = event.transaction_hash
        uow.governance.save_vote(vote)


def _executed(event: ChainEvent, uow: GovernanceUoW, sign: int) -> None:
    proposal = _on_chain(event, uow)
    if proposal is None:
        return
    if sign > 0 and proposal.status in (ProposalStatus.PASSED, ProposalStatus.ACTIVE):
        proposal.status = ProposalStatus.EXECUTED
    elif sign < 0 and proposal.status == ProposalStatus.EXECUTED:
        proposal.status = ProposalStatus.PASSED
    else:
        return
    uow.governance.save(proposal)
