"""Schemas of governance proposals and votes."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.governance.model import Support
from app.domain.governance.services import MAX_VOTING_HOURS


class ProposalSchema(ma.Schema):
    id = ma.fields.String()
    title = ma.fields.String()
    description = ma.fields.String()
    proposer_id = ma.fields.String()
    status = ma.fields.Function(
        lambda p: p.status.value,
        metadata={"enum": ["pending", "active", "passed", "rejected", "executed"]},
    )
    votes_for = ma.fields.Integer(metadata={"description": "indexed VoteCast events"})
    votes_against = ma.fields.Integer()
    votes_abstain = ma.fields.Integer()
    quorum = ma.fields.Integer(
        metadata={"description": "votes needed (more than half of the members at creation)"}
    )
    voting_ends_at = ma.fields.DateTime()
    chain_proposal_id = ma.fields.Integer(allow_none=True)
    tx_hash = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class NewProposalSchema(ma.Schema):
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = ma.fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    voting_hours = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_VOTING_HOURS),
        metadata={"description": "how long voting lasts (default 72 hours)"},
    )


class NewVoteSchema(ma.Schema):
    support = ma.fields.String(required=True, validate=validate.OneOf([s.value for s in Support]))


class VoteSchema(ma.Schema):
    id = ma.fields.String()
    proposal_id = ma.fields.String()
    voter_id = ma.fields.String()
    support = ma.fields.Function(lambda v: v.support.value)
    status = ma.fields.Function(
        lambda v: v.status.value, metadata={"enum": ["pending", "counted", "failed"]}
    )
    created_at = ma.fields.DateTime()
