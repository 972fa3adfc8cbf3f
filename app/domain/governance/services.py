"""Use cases of governance: members (users with the governance_member role, and platform
admins) propose and vote; anyone who may read governance lists and reads proposals.

    create_proposal -> the proposal is `pending`; the `governance.propose` job writes its
        content hash to the contract through the operator (`app.domain.governance.jobs`)
        and the indexer's `ProposalCreated` makes it `active` (and publishes
        `governance.proposal_created`, once)
    cast_vote -> the vote is recorded (one per member and proposal: a second is
        `AlreadyVoted`); the `governance.vote` job casts it on chain for the member's
        custodial address; the tally moves with the indexed `VoteCast` only
    close_due (a periodic sweep) -> `passed` or `rejected` by the rule of
        `app.domain.governance.model`; a passed one is executed on chain

The transaction is the service's; chain writes happen after it, in jobs."""

from __future__ import annotations

from datetime import timedelta

from app.domain.auth.permissions import Role
from app.domain.auth.principal import Principal
from app.domain.governance.errors import BadProposal, ProposalNotFound, VotingClosed
from app.domain.governance.model import Proposal, Support, Vote, quorum_of
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import PermissionDenied
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.repositories.governance import GovernanceUoW

DEFAULT_VOTING_HOURS = 72
MAX_VOTING_HOURS = 24 * 30
MEMBER_ROLES = frozenset({Role.GOVERNANCE_MEMBER, Role.PLATFORM_ADMIN})


def is_member(principal: Principal) -> bool:
    return principal.kind == "user" and bool(MEMBER_ROLES & principal.roles)


def _member(principal: Principal) -> str:
    if not is_member(principal) or principal.user_id is None:
        raise PermissionDenied("only governance members propose and vote")
    return principal.user_id


def create_proposal(
    principal: Principal,
    *,
    title: str,
    description: str,
    voting_hours: int | None = None,
    uow: GovernanceUoW,
    clock: Clock,
) -> Proposal:
    """A new proposal of the member, `pending` until its ProposalCreated is indexed."""
    proposer = _member(principal)
    hours = DEFAULT_VOTING_HOURS if voting_hours is None else voting_hours
    if not 1 <= hours <= MAX_VOTING_HOURS:
        raise BadProposal(f"voting_hours is between 1 and {MAX_VOTING_HOURS}")
    if not title.strip() or not description.strip():
        raise BadProposal("a proposal has a title and a description")
    now = clock.now()
    with uow:
        members = max(1, uow.governance.member_count())
        proposal = Proposal(
            id=new_id(),
            title=title.strip(),
            description=description,
            proposer_id=proposer,
            voting_ends_at=now + timedelta(hours=hours),
            quorum=quorum_of(members),
            created_at=now,
        )
        uow.governance.add(proposal)
        uow.enqueue(Job("governance.propose", {"proposal_id": proposal.id}))
        uow.audit(
            AuditRecord(
                "governance.proposal_created",
                "governance_proposal",
                proposal.id,
                proposer,
                after={"title": proposal.title, "quorum": proposal.quorum, "members": members},
            )
        )
        uow.commit()
    return proposal


def cast_vote(
    principal: Principal, proposal_id: str, support: Support, *, uow: GovernanceUoW, clock: Clock
) -> Vote:
    """The member's one vote on an active proposal, sent to the chain by a job."""
    voter = _member(principal)
    now = clock.now()
    with uow:
        proposal = uow.governance.get(proposal_id)
        if proposal is None:
            raise ProposalNotFound(f"no proposal {proposal_id}")
        if not proposal.open_for_votes(now):
            raise VotingClosed(f"proposal {proposal_id} is {proposal.status}, not open for votes")
        vote = Vote(new_id(), proposal_id, voter, support, now)
        uow.governance.add_vote(vote)  # AlreadyVoted: the unique key of (proposal, voter)
        uow.enqueue(Job("governance.vote", {"vote_id": vote.id}))
        uow.audit(
            AuditRecord(
                "governance.vote_recorded",
                "governance_proposal",
                proposal_id,
                voter,
                after={"vote_id": vote.id, "voter_id": voter, "support": support.value},
            )
        )
        uow.commit()
    return vote


def list_proposals(*, offset: int, limit: int, uow: GovernanceUoW) -> tuple[list[Proposal], int]:
    with uow:
        return uow.governance.newest(offset, limit)


def get_proposal(proposal_id: str, *, uow: GovernanceUoW) -> Proposal:
    with uow:
        proposal = uow.governance.get(proposal_id)
    if proposal is None:
        raise ProposalNotFound(f"no proposal {proposal_id}")
    return proposal
