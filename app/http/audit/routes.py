"""The audit log's public face: its current head, so anyone can pin it and later prove
that what they saw is still part of the chain."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint

from app.domain.platform.services import audit_head
from app.domain.shared.audit import ChainHead
from app.http.common.deps import read

blp = Blueprint("audit", __name__, description="Audit log")


class AuditHeadSchema(ma.Schema):
    length = ma.fields.Integer(required=True, metadata={"description": "Entries in the chain"})
    head_hash = ma.fields.String(
        required=True, attribute="hash", metadata={"description": "Hash of the last entry"}
    )


@blp.route("/public/audit-logs/head")
@blp.response(200, AuditHeadSchema)
def public_head() -> ChainHead:
    """Length and last hash of the audit chain (no authentication)."""
    with read() as reads:
        return audit_head(audit_log=reads.audit_log)
