"""Who reads a document, changed: by the project's issuers while the project's details or
metadata may change (not while it is reviewed or decided, nor once it is closed or
rejected), and by platform admins at any time (to withdraw what was published by
mistake)."""

from __future__ import annotations

from app.domain.auth.principal import Principal
from app.domain.documents.model import Visibility
from app.domain.documents.services import DocumentView, readable_document
from app.domain.projects.access import is_issuer_of
from app.domain.projects.errors import ProjectLocked
from app.domain.projects.model import FULL_EDIT_STATUSES, METADATA_EDIT_STATUSES
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied
from app.ports.clock import Clock
from app.ports.repositories.documents import ProjectDocumentsUoW

OPEN_STATUSES = FULL_EDIT_STATUSES | METADATA_EDIT_STATUSES


def change_visibility(
    principal: Principal,
    document_id: str,
    visibility: Visibility,
    *,
    uow: ProjectDocumentsUoW,
    clock: Clock,
) -> DocumentView:
    with uow:
        document, project = readable_document(principal, document_id, uow, lock=True)
        if not (principal.is_admin or is_issuer_of(principal, project.organization_id)):
            raise PermissionDenied("only the project's issuers change who reads its documents")
        if not principal.is_admin and project.status not in OPEN_STATUSES:
            raise ProjectLocked(
                f"the documents of a {project.status.value} project keep their visibility"
            )
        version = uow.documents.version(document.id, document.current_version)
        if version is None:
            raise NotFound("document not found")
        if document.visibility != visibility:
            before = document.visibility
            document.visibility = visibility
            document.updated_at = clock.now()
            uow.documents.save(document)
            uow.audit(
                AuditRecord(
                    "document.visibility_changed",
                    "document",
                    document.id,
                    principal.id,
                    before={"visibility": before.value},
                    after={"visibility": visibility.value},
                    organization_id=project.organization_id,
                )
            )
            uow.commit()
        return DocumentView(document, version)
