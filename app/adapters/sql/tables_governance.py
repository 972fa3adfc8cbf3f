"""Tables of governance: proposals (their text, the chain's tally as indexed) and the
members' votes, one per member and proposal (unique)."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import UtcDateTime

governance_proposals = sa.Table(
    "governance_proposals",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("proposer_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("content_hash", sa.String(66), nullable=False, unique=True),
    sa.Column("quorum", sa.Integer, nullable=False),
    sa.Column("votes_for", sa.Integer, nullable=False, server_default="0"),
    sa.Column("votes_against", sa.Integer, nullable=False, server_default="0"),
    sa.Column("votes_abstain", sa.Integer, nullable=False, server_default="0"),
    sa.Column("voting_ends_at", UtcDateTime, nullable=False),
    sa.Column("chain_proposal_id", sa.BigInteger, nullable=True),
    sa.Column("chain_contract", sa.String(42), nullable=True),
    sa.Column("tx_hash", sa.String(66), nullable=True),
    sa.Column("announced", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("error", sa.String(1000), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.CheckConstraint(
        "status IN ('pending', 'active', 'passed', 'rejected', 'executed')", name="status_known"
    ),
    sa.Index("ix_governance_proposals_created", "created_at", "id"),
    sa.Index("ix_governance_proposals_due", "status", "voting_ends_at"),
    sa.Index("ix_governance_proposals_chain", "chain_contract", "chain_proposal_id"),
)

governance_votes = sa.Table(
    "governance_votes",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "proposal_id", sa.String(32), sa.ForeignKey("governance_proposals.id"), nullable=False
    ),
    sa.Column("voter_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("support", sa.String(8), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("voter_address", sa.String(42), nullable=True),
    sa.Column("tx_hash", sa.String(66), nullable=True),
    sa.Column("error", sa.String(1000), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("proposal_id", "voter_id", name="uq_governance_votes_one_per_member"),
    sa.CheckConstraint("support IN ('for', 'against', 'abstain')", name="support_known"),
    sa.CheckConstraint("status IN ('pending', 'counted', 'failed')", name="status_known"),
)
