"""Use cases of a project's documents. Access follows the project and the document's
visibility: who sees the project sees its public documents; its private ones only the
project's organization, its assigned reviewers and platform admins. Its issuers (and
admins) upload; its organization's admins and auditors (and platform admins) read the
access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.auth.principal import Principal
from app.domain.documents.model import (
    DEFAULT_VISIBILITY,
    AccessEntry,
    Document,
    DocumentKind,
    DocumentVersion,
    Visibility,
    associated_data,
    safe_filename,
    sniff_content_type,
    storage_key,
)
from app.domain.projects.access import can_see, is_issuer_of, reads_private_documents
from app.domain.projects.model import Project
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied
from app.domain.shared.hashing import sha256_hex
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.documents import ProjectDocumentsUoW
from app.ports.storage import BlobStore, EnvelopeCipher, SealedObject


@dataclass(frozen=True)
class DocumentView:
    document: Document
    version: DocumentVersion


@dataclass(frozen=True)
class Storage:
    store: BlobStore
    cipher: EnvelopeCipher
    link_key: bytes


def upload_document(
    principal: Principal,
    project_id: str,
    *,
    kind: DocumentKind,
    filename: str | None,
    data: bytes,
    document_id: str | None,
    uow: ProjectDocumentsUoW,
    storage: Storage,
    clock: Clock,
    ip: str | None = None,
    visibility: Visibility | None = None,
) -> DocumentView:
    """Encrypt and store a new document (`visibility`, by default its kind's), or a new
    version of `document_id` (which keeps the document's kind and visibility)."""
    content_type = sniff_content_type(data)
    now = clock.now()
    with uow:
        project = _project(principal, project_id, uow)
        if not (principal.is_admin or is_issuer_of(principal, project.organization_id)):
            raise PermissionDenied("only the project's issuers upload its documents")
        document = _target(
            uow,
            project=project,
            document_id=document_id,
            kind=kind,
            visibility=visibility,
            principal=principal,
            now=now,
        )
        number = document.current_version
        sealed = storage.cipher.seal(
            data, associated_data(document.id, number, project.organization_id)
        )
        locator = storage.store.put(storage_key(document.id, number), sealed.ciphertext)
        version = DocumentVersion(
            document.id,
            number,
            safe_filename(filename),
            content_type,
            len(data),
            sha256_hex(data),
            storage.store.name,
            locator,
            sealed.wrapped_key,
            sealed.key_id,
            principal.id,
            now,
        )
        uow.documents.add_version(version)
        uow.documents.add_access(
            AccessEntry(
                new_id(), document.id, number, "upload", principal.id, ip, uow.request_id, now
            )
        )
        uow.audit(
            AuditRecord(
                "document.uploaded",
                "document",
                document.id,
                principal.id,
                after={
                    "project_id": project.id,
                    "kind": kind.value,
                    "visibility": document.visibility.value,
                    "version": number,
                    "sha256": version.sha256,
                    "size": version.size,
                },
                organization_id=project.organization_id,
            )
        )
        uow.commit()
        return DocumentView(document, version)


def store_platform_document(
    project: Project,
    *,
    kind: DocumentKind,
    filename: str,
    data: bytes,
    content_type: str,
    uow: ProjectDocumentsUoW,
    storage: Storage,
    clock: Clock,
) -> DocumentView:
    """A document the platform itself writes (a proof bundle), encrypted like any other,
    inside the caller's unit of work."""
    now = clock.now()
    document = Document(
        new_id(),
        project.id,
        project.organization_id,
        kind,
        1,
        "platform",
        now,
        now,
        visibility=DEFAULT_VISIBILITY[kind],
    )
    uow.documents.add(document)
    sealed = storage.cipher.seal(data, associated_data(document.id, 1, project.organization_id))
    locator = storage.store.put(storage_key(document.id, 1), sealed.ciphertext)
    version = DocumentVersion(
        document.id,
        1,
        filename,
        content_type,
        len(data),
        sha256_hex(data),
        storage.store.name,
        locator,
        sealed.wrapped_key,
        sealed.key_id,
        "platform",
        now,
    )
    uow.documents.add_version(version)
    return DocumentView(document, version)


def read_document(document_id: str, *, uow: ProjectDocumentsUoW, storage: Storage) -> bytes:
    """The plaintext of a document's current version (platform use, no access check)."""
    document = uow.documents.get(document_id)
    version = uow.documents.version(document_id, document.current_version) if document else None
    if document is None or version is None:
        raise NotFound("document not found")
    sealed = SealedObject(storage.store.get(version.locator), version.wrapped_key, version.key_id)
    return storage.cipher.open(
        sealed, associated_data(document.id, version.version, document.organization_id)
    )


def _target(
    uow: ProjectDocumentsUoW,
    *,
    project: Project,
    document_id: str | None,
    kind: DocumentKind,
    visibility: Visibility | None,
    principal: Principal,
    now: datetime,
) -> Document:
    if document_id is None:
        fresh = Document(
            new_id(),
            project.id,
            project.organization_id,
            kind,
            1,
            principal.id,
            now,
            now,
            visibility=visibility or DEFAULT_VISIBILITY[kind],
        )
        uow.documents.add(fresh)
        return fresh
    document = uow.documents.get_for_update(document_id)
    if document is None or document.project_id != project.id:
        raise NotFound("document not found in this project")
    if document.kind != kind:
        raise Conflict("a new version keeps the document's kind", code="kind_mismatch")
    if visibility is not None and document.visibility != visibility:
        raise Conflict(
            "a new version keeps the document's visibility; change it on the document",
            code="visibility_mismatch",
        )
    document.current_version += 1
    document.updated_at = now
    uow.documents.save(document)
    return document


def _project(principal: Principal | None, project_id: str, uow: ProjectDocumentsUoW) -> Project:
    project = uow.projects.get(project_id)
    if project is None or not can_see(principal, project):
        raise NotFound("project not found")
    return project


def readable_document(
    principal: Principal | None, document_id: str, uow: ProjectDocumentsUoW, *, lock: bool = False
) -> tuple[Document, Project]:
    """The document and its project, when the caller may read the document (else not
    found, whether it exists or not)."""
    document = (uow.documents.get_for_update if lock else uow.documents.get)(document_id)
    if document is None:
        raise NotFound("document not found")
    try:
        project = _project(principal, document.project_id, uow)
    except NotFound:
        raise NotFound("document not found") from None
    if not _may_read([document], principal, project, uow):
        raise NotFound("document not found")
    return document, project


def _may_read(
    documents: list[Document],
    principal: Principal | None,
    project: Project,
    uow: ProjectDocumentsUoW,
) -> list[Document]:
    """Those of the project's `documents` the caller may read (it sees the project)."""
    if all(d.visibility == Visibility.PUBLIC for d in documents):
        return documents
    if reads_private_documents(principal, project, lambda: uow.projects.reviewer_ids(project.id)):
        return documents
    return [d for d in documents if d.visibility == Visibility.PUBLIC]


def list_documents(
    principal: Principal | None, project_id: str, *, uow: ProjectDocumentsUoW
) -> list[DocumentView]:
    with uow:
        project = _project(principal, project_id, uow)
        views = []
        documents = uow.documents.list_for_project(project_id)
        for document in _may_read(documents, principal, project, uow):
            version = uow.documents.version(document.id, document.current_version)
            if version is not None:
                views.append(DocumentView(document, version))
        return views


def get_document(
    principal: Principal | None, document_id: str, *, uow: ProjectDocumentsUoW
) -> DocumentView:
    with uow:
        document, _ = readable_document(principal, document_id, uow)
        version = uow.documents.version(document.id, document.current_version)
        if version is None:
            raise NotFound("document not found")
        return DocumentView(document, version)


def list_versions(
    principal: Principal | None, document_id: str, *, uow: ProjectDocumentsUoW
) -> list[DocumentView]:
    with uow:
        document, _ = readable_document(principal, document_id, uow)
        return [DocumentView(document, v) for v in uow.documents.versions(document.id)]
