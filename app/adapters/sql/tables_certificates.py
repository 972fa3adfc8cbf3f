"""Tables of certificates: one per retirement (unique), its signed document kept as the
canonical bytes issued; the platform's template (one row) and organizations' fields."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import Json, UtcDateTime

certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "retirement_id",
        sa.String(32),
        sa.ForeignKey("retirements.id"),
        nullable=False,
        unique=True,  # never two certificates of one retirement
    ),
    sa.Column("owner_kind", sa.String(16), nullable=False),
    sa.Column("owner_id", sa.String(32), nullable=False, index=True),
    sa.Column("document", sa.Text, nullable=False),  # RFC 8785 canonical JSON, as signed
    sa.Column("layout", Json, nullable=False),
    sa.Column("logo", sa.LargeBinary, nullable=True),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Index("ix_certificates_issued", "issued_at", "id"),
)

certificate_templates = sa.Table(
    "certificate_templates",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("primary_color", sa.String(7), nullable=False),
    sa.Column("accent_color", sa.String(7), nullable=False),
    sa.Column("footer_text", sa.String(500), nullable=False),
    sa.Column(
        "logo_document_id", sa.String(32), sa.ForeignKey("project_documents.id"), nullable=True
    ),
    sa.Column("updated_by", sa.String(64), nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.CheckConstraint("id = 1", name="one_row"),
)

organization_certificate_fields = sa.Table(
    "organization_certificate_fields",
    metadata,
    sa.Column(
        "organization_id", sa.String(32), sa.ForeignKey("organizations.id"), primary_key=True
    ),
    sa.Column("fields", Json, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=True),
)
