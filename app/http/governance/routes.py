"""Governance: members' proposals and votes, written to the governance contract through
the operator; the tally is the chain's (indexed VoteCast events)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.governance import services
from app.domain.governance.model import Proposal, Support, Vote
from app.http.common.auth import current_principal, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.chain_writes import requires_chain
from app.http.common.deps import platform, uow
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.governance import schemas as s

blp = ApiBlueprint("governance", __name__, description="Governance proposals and votes")


@blp.route("/governance/proposals", methods=["GET"])
@requires("governance:read")
@blp.response(200, s.ProposalSchema(many=True))
@paginated(blp)
def list_proposals(page: Page) -> tuple[Sequence[Proposal], int]:
    """Proposals, newest first, with the chain's tally."""
    return services.list_proposals(offset=page.offset, limit=page.limit, uow=uow())


@blp.route("/governance/proposals", methods=["POST"])
@requires("governance:propose")
@requires_chain
@rule_codes("bad_proposal")
@blp.arguments(s.NewProposalSchema)
@blp.response(202, s.ProposalSchema)
def create_proposal(body: dict[str, Any]) -> Proposal:
    """Propose (governance members and platform admins): the proposal is `pending` while
    the operator writes its content hash to the governance contract, `active` once the
    indexer sees its ProposalCreated event; voting lasts `voting_hours` (default 72)."""
    return services.create_proposal(
        current_principal(),
        title=body["title"],
        description=body["description"],
        voting_hours=body["voting_hours"],
        uow=uow(),
        clock=platform().clock,
    )


@blp.route("/governance/proposals/<proposal_id>", methods=["GET"])
@requires("governance:read")
@blp.response(200, s.ProposalSchema)
def get_proposal(proposal_id: str) -> Proposal:
    """A proposal with the chain's tally."""
    return services.get_proposal(proposal_id, uow=uow())


@blp.route("/governance/proposals/<proposal_id>/votes", methods=["POST"])
@requires("governance:vote")
@requires_chain
@blp.arguments(s.NewVoteSchema)
@blp.response(202, s.VoteSchema)
@blp.alt_response(409, description="Already voted (already_voted), or voting closed")
def vote(body: dict[str, Any], proposal_id: str) -> Vote:
    """Vote for, against or abstain on an active proposal, once: cast on chain for you by
    the operator (from your custodial address); the tally counts it once its VoteCast
    event is indexed. A second vote is a 409 `already_voted`."""
    return services.cast_vote(
        current_principal(),
        proposal_id,
        Support(body["support"]),
        uow=uow(),
        clock=platform().clock,
    )
