"""The audit log: listing (admins, organization auditors), chain verification, and the
public head so anyone can pin it and later prove what they saw is still in the chain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.auth.audit import search_audit_log
from app.domain.platform.services import audit_head, verify_audit_chain
from app.domain.shared.audit import AuditEntry, AuditQuery, ChainHead, ChainReport
from app.http.audit import schemas as s
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import read, uow
from app.http.common.pagination import Page, paginated

blp = ApiBlueprint("audit", __name__, description="Audit log")


@blp.route("/audit-logs")
@requires("audit:read")
@blp.arguments(s.AuditFilterSchema, location="query")
@blp.response(200, s.AuditEntrySchema(many=True))
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
@blp.response(200, s.ChainReportSchema)
def verify() -> ChainReport:
    """Recompute every link of the chain; `broken_at` names the first broken entry."""
    return verify_audit_chain(uow=uow())


@blp.route("/public/audit-logs/head")
@public
@blp.response(200, s.AuditHeadSchema)
def public_head() -> ChainHead:
    """Length and last hash of the audit chain (no authentication)."""
    with read() as reads:
        return audit_head(audit_log=reads.audit_log)
