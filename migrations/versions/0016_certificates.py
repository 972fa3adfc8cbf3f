"""Retirement certificates (one per retirement, the signed document as issued), the
platform's certificate template, organizations' custom fields; a retirement's
beneficiary visibility and the salt of a pseudonymous beneficiary.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.adapters.sql.types import Json, UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place (no table rebuild on SQLite: the kilogram triggers of 0008 stay).
    op.add_column(
        "retirements",
        sa.Column(
            "beneficiary_visibility", sa.String(length=16), server_default="public", nullable=False
        ),
    )
    op.add_column("retirements", sa.Column("beneficiary_salt", sa.String(length=32), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(
            op.f("ck_retirements_beneficiary_visibility"),
            "retirements",
            "beneficiary_visibility IN ('public', 'pseudonymous')",
        )
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("retirement_id", sa.String(length=32), nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("layout", Json, nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["retirement_id"],
            ["retirements.id"],
            name=op.f("fk_certificates_retirement_id_retirements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("retirement_id", name=op.f("uq_certificates_retirement_id")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_certificates_issued", ["issued_at", "id"], unique=False)
    op.create_table(
        "certificate_templates",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("primary_color", sa.String(length=7), nullable=False),
        sa.Column("accent_color", sa.String(length=7), nullable=False),
        sa.Column("footer_text", sa.String(length=500), nullable=False),
        sa.Column("logo_document_id", sa.String(length=32), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_certificate_templates_one_row")),
        sa.ForeignKeyConstraint(
            ["logo_document_id"],
            ["project_documents.id"],
            name=op.f("fk_certificate_templates_logo_document_id_project_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_templates")),
    )
    op.create_table(
        "organization_certificate_fields",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_certificate_fields_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_certificate_fields")),
    )


def downgrade() -> None:
    op.drop_table("organization_certificate_fields")
    op.drop_table("certificate_templates")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_issued")
        batch_op.drop_index(batch_op.f("ix_certificates_owner_id"))
    op.drop_table("certificates")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_retirements_beneficiary_visibility"), "retirements")
    op.drop_column("retirements", "beneficiary_salt")
    op.drop_column("retirements", "beneficiary_visibility")
