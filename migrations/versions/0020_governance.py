"""Governance: proposals (their text; the chain's tally as indexed) and the members'
votes, one per member and proposal.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import UtcDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "governance_proposals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("proposer_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=66), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("votes_for", sa.Integer(), server_default="0", nullable=False),
        sa.Column("votes_against", sa.Integer(), server_default="0", nullable=False),
        sa.Column("votes_abstain", sa.Integer(), server_default="0", nullable=False),
        sa.Column("voting_ends_at", UtcDateTime(), nullable=False),
        sa.Column("chain_proposal_id", sa.BigInteger(), nullable=True),
        sa.Column("chain_contract", sa.String(length=42), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("announced", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'passed', 'rejected', 'executed')",
            name=op.f("ck_governance_proposals_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["proposer_id"], ["users.id"], name=op.f("fk_governance_proposals_proposer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_proposals")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_governance_proposals_content_hash")),
    )
    op.create_index("ix_governance_proposals_created", "governance_proposals", ["created_at", "id"])
    op.create_index(
        "ix_governance_proposals_due", "governance_proposals", ["status", "voting_ends_at"]
    )
    op.create_index(
        "ix_governance_proposals_chain",
        "governance_proposals",
        ["chain_contract", "chain_proposal_id"],
    )
    op.create_table(
        "governance_votes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.String(length=32), nullable=False),
        sa.Column("voter_id", sa.String(length=32), nullable=False),
        sa.Column("support", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("voter_address", sa.String(length=42), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "support IN ('for', 'against', 'abstain')",
            name=op.f("ck_governance_votes_support_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'counted', 'failed')",
            name=op.f("ck_governance_votes_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["governance_proposals.id"],
            name=op.f("fk_governance_votes_proposal_id_governance_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["users.id"], name=op.f("fk_governance_votes_voter_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_votes")),
        sa.UniqueConstraint(
            "proposal_id", "voter_id", name=op.f("uq_governance_votes_one_per_member")
        ),
    )


def downgrade() -> None:
    op.drop_table("governance_votes")
    op.drop_index("ix_governance_proposals_chain", table_name="governance_proposals")
    op.drop_index("ix_governance_proposals_due", table_name="governance_proposals")
    op.drop_index("ix_governance_proposals_created", table_name="governance_proposals")
    op.drop_table("governance_proposals")
