"""Document visibility: `public` (everyone who sees the project) or `private` (the
project's organization, its assigned reviewers and platform admins).

Existing documents get their kind's default: design documents and monitoring, validation
and verification reports are public; land titles, other files and proof bundles private.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PUBLIC_KINDS = ("project_design", "monitoring_report", "validation_report", "verification_report")


def upgrade() -> None:
    with op.batch_alter_table("project_documents") as batch:
        batch.add_column(
            sa.Column("visibility", sa.String(length=16), nullable=False, server_default="private")
        )
    documents = sa.table("project_documents", sa.column("kind"), sa.column("visibility"))
    op.execute(
        documents.update().where(documents.c.kind.in_(PUBLIC_KINDS)).values(visibility="public")
    )
    with op.batch_alter_table("project_documents") as batch:
        batch.create_check_constraint("visibility", "visibility IN ('public', 'private')")


def downgrade() -> None:
    with op.batch_alter_table("project_documents") as batch:
        batch.drop_constraint(op.f("ck_project_documents_visibility"), type_="check")
        batch.drop_column("visibility")
