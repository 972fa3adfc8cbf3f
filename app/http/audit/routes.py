"""The audit log: listing (admins, organization auditors), chain verification, and the
public head so anyone can pin it and later prove what they saw is still in the chain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.domain.auth.audit import search_audit_log
from app.domain.platform.services import audit_head, verify_audit_chain
from app.domain.shared.audit import AuditEntry, AuditQuery, ChainHead, ChainReport
from app.http.common.auth import current_principal, public, requires
from app.http.common.deps import read, uow
from app.http.common.pagination import Page, paginated

blp = Blueprint("audit", __name__, description="Audit log")


class AuditHeadSchema(ma.Schema):
    length = ma.fields.Integer(required=True, metadata={"description": "Entries in the chain"})
    head_hash = ma.fields.String(
        required=True, attribute="hash", metadata={"description": "Hash of the last entry"}
    )


class AuditFilterSchema(ma.Schema):
    action = ma.fields.String(validate=validate.Length(max=100))
    entity_type = ma.fields.String(validate=validate.Length(max=50))
    entity_id = ma.fields.String(validate=validate.Length(max=64))
    actor_id = ma.fields.String(validate=validate.Length(max=64))
    organization_id = ma.fields.String(validate=validate.Length(max=64))
    since = ma.fields.AwareDateTime(default_timezone=None)
    until = ma.fields.AwareDateTime(default_timezone=None)


class AuditEntrySchema(ma.Schema):
    seq = ma.fields.Integer()
    id = ma.fields.String()
    occurred_at = ma.fields.DateTime()
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.String()
    actor_id = ma.fields.String(allow_none=True)
    organization_id = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    before = ma.fields.Raw(allow_none=True)
    after = ma.fields.Raw(allow_none=True)
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class ChainReportSchema(ma.Schema):
    valid = ma.fields.Boolean(required=True)
    length = ma.fields.Integer(required=True)
    head_hash = ma.fields.String(required=True)
    broken_at = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(allow_none=True)


@blp.route("/audit-logs")
@requires("audit:read")
@blp.arguments(AuditFilterSchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@paginated(blp)
def list_entries(filters: dict[str, Any], page: Page) -> tuple[Sequence[AuditEntry], int]:
    """Audit entries, newest first: all for platform admins, an organization's for its
    admins and auditors."""
    org_id = filters.pop("organization_id", None)
    with read() as reads:
        return search_audit_log(
            current_principal(),
            AuditQuery(**filters),
            organization_id=org_id,
            offset=page.offset,
            limit=page.limit,
            audit_log=reads.audit_log,
        )


@blp.route("/audit-logs/verify")
@requires("audit:verify")
@blp.response(200, ChainReportSchema)
def verify() -> ChainReport:
    """Recompute every link of the chain; `broken_at` names the first broken entry."""
    return verify_audit_chain(uow=uow())


@blp.route("/public/audit-logs/head")
@public
@blp.response(200, AuditHeadSchema)
def public_head() -> ChainHead:
    """Length and last hash of the audit chain (no authentication)."""
    with read() as reads:
        return audit_head(audit_log=reads.audit_log)
