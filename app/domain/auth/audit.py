"""Who may read which part of the audit log: platform admins all of it, organization
admins and auditors their organization's entries."""

from __future__ import annotations

from dataclasses import replace

from app.domain.auth.organizations import authorize_org
from app.domain.auth.principal import Principal
from app.domain.shared.audit import AuditEntry, AuditQuery
from app.domain.shared.errors import PermissionDenied
from app.ports.repositories.platform import AuditRepository

PERMISSION = "audit:read"


def search_audit_log(
    principal: Principal,
    query: AuditQuery,
    *,
    organization_id: str | None,
    offset: int,
    limit: int,
    audit_log: AuditRepository,
) -> tuple[list[AuditEntry], int]:
    if organization_id is not None:
        authorize_org(principal, organization_id, PERMISSION)
        query = replace(query, organization_ids=(organization_id,))
    elif not principal.is_admin:
        orgs = principal.orgs_with(PERMISSION)
        if not orgs:
            raise PermissionDenied("reading the audit log needs an admin or auditor role")
        query = replace(query, organization_ids=orgs)
    return audit_log.search(query, offset, limit)
