"""Errors of governance."""

from __future__ import annotations

from app.domain.shared.errors import Conflict, InvalidValue, NotFound


class ProposalNotFound(NotFound):
    code = "proposal_not_found"


class AlreadyVoted(Conflict):
    """One vote per member and proposal (the database's unique key and the contract)."""

    code = "already_voted"


class VotingClosed(Conflict):
    """The proposal is not open for votes: not on chain yet, or its voting ended."""

    code = "voting_closed"


class BadProposal(InvalidValue):
    code = "bad_proposal"
