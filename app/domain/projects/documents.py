"""Use cases of a project's documents. Access follows the project and the document's
visibility: who sees the project sees its public documents; its private ones only the
project's organization, its assigned reviewers and platform admins. Its issuers (and
admins) upload; its organization's admins and auditors (and platform admins) read the
access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.domain.auth.model import Principal
from app.domain.auth.permissions import OrgRole
from app.domain.documents.model import (
    DEFAULT_VISIBILITY,
    AccessEntry,
    Document,
    DocumentKind,
    DocumentVersion,
    Visibility,
    associated_data,
    link_is_valid,
    safe_filename,
    sha256_hex,
    sign_link,
    sniff_content_type,
    storage_key,
)
from app.domain.projects.access import can_see, is_issuer_of, reads_private_documents
from app.domain.projects.model import Project
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.projects import ProjectsUoW
from app.ports.storage import BlobStore, EnvelopeCipher, SealedObject

LINK_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class DocumentView:
    document: Document
    version: DocumentVersion


@dataclass(frozen=True)
class DownloadLink:
    document_id: str
    version: int
    expires: int
    actor_id: str
    signature: str

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str
    content_type: str
    sha256: str


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
    uow: ProjectsUoW,
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
    uow: ProjectsUoW,
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


def read_document(document_id: str, *, uow: ProjectsUoW, storage: Storage) -> bytes:
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
    uow: ProjectsUoW,
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


def _project(principal: Principal | None, project_id: str, uow: ProjectsUoW) -> Project:
    project = uow.projects.get(project_id)
    if project is None or not can_see(principal, project):
        raise NotFound("project not found")
    return project


def readable_document(
    principal: Principal | None, document_id: str, uow: ProjectsUoW, *, lock: bool = False
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
    documents: list[Document], principal: Principal | None, project: Project, uow: ProjectsUoW
) -> list[Document]:
    """Those of the project's `documents` the caller may read (it sees the project)."""
    if all(d.visibility == Visibility.PUBLIC for d in documents):
        return documents
    if reads_private_documents(principal, project, lambda: uow.projects.reviewer_ids(project.id)):
        return documents
    return [d for d in documents if d.visibility == Visibility.PUBLIC]


def list_documents(
    principal: Principal | None, project_id: str, *, uow: ProjectsUoW
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
    principal: Principal | None, document_id: str, *, uow: ProjectsUoW
) -> DocumentView:
    with uow:
        document, _ = readable_document(principal, document_id, uow)
        version = uow.documents.version(document.id, document.current_version)
        if version is None:
            raise NotFound("document not found")
        return DocumentView(document, version)


def list_versions(
    principal: Principal | None, document_id: str, *, uow: ProjectsUoW
) -> list[DocumentView]:
    with uow:
        document, _ = readable_document(principal, document_id, uow)
        return [DocumentView(document, v) for v in uow.documents.versions(document.id)]


def create_download_link(
    principal: Principal,
    document_id: str,
    *,
    version: int | None,
    uow: ProjectsUoW,
    link_key: bytes,
    clock: Clock,
    ip: str | None = None,
) -> DownloadLink:
    with uow:
        document, _ = readable_document(principal, document_id, uow)
        number = version or document.current_version
        if uow.documents.version(document.id, number) is None:
            raise NotFound("no such version")
        expires = int((clock.now() + LINK_TTL).timestamp())
        signature = sign_link(link_key, document.id, number, expires, principal.id)
        uow.documents.add_access(
            AccessEntry(
                new_id(), document.id, number, "link", principal.id, ip, uow.request_id, clock.now()
            )
        )
        uow.commit()
        return DownloadLink(document.id, number, expires, principal.id, signature)


def download(
    link: DownloadLink, *, uow: ProjectsUoW, storage: Storage, clock: Clock, ip: str | None = None
) -> Download:
    """Serve the plaintext behind an app-signed, unexpired link; every read is logged."""
    if not link_is_valid(
        storage.link_key,
        link.document_id,
        link.version,
        link.expires,
        link.actor_id,
        signature=link.signature,
    ):
        raise PermissionDenied("this link is not valid", code="invalid_link")
    if clock.now().timestamp() >= link.expires:
        raise PermissionDenied("this link has expired", code="link_expired")
    with uow:
        document = uow.documents.get(link.document_id)
        version = uow.documents.version(link.document_id, link.version)
        if document is None or version is None:
            raise NotFound("document not found")
        sealed = SealedObject(
            storage.store.get(version.locator), version.wrapped_key, version.key_id
        )
        data = storage.cipher.open(
            sealed, associated_data(document.id, version.version, document.organization_id)
        )
        if sha256_hex(data) != version.sha256:
            raise Conflict("the stored document does not match its hash", code="integrity_error")
        uow.documents.add_access(
            AccessEntry(
                new_id(),
                document.id,
                version.version,
                "download",
                link.actor_id,
                ip,
                uow.request_id,
                clock.now(),
            )
        )
        uow.commit()
        return Download(data, version.filename, version.content_type, version.sha256)


def access_log(
    principal: Principal, document_id: str, *, offset: int, limit: int, uow: ProjectsUoW
) -> tuple[list[AccessEntry], int]:
    with uow:
        document, project = readable_document(principal, document_id, uow)
        role = principal.memberships.get(project.organization_id)
        if not (principal.is_admin or role in {OrgRole.ADMIN, OrgRole.AUDITOR}):
            raise PermissionDenied("the access log is for the organization's admins and auditors")
        return uow.documents.access_log(document.id, offset, limit)


def verify_stored_documents(
    project_id: str, *, uow: ProjectsUoW, storage: Storage
) -> list[dict[str, object]]:
    """Re-read and decrypt the current version of every document of the project and
    compare its SHA-256 with the one recorded at upload (inside the caller's unit)."""
    results: list[dict[str, object]] = []
    for document in uow.documents.list_for_project(project_id):
        version = uow.documents.version(document.id, document.current_version)
        if version is None:
            continue
        try:
            sealed = SealedObject(
                storage.store.get(version.locator), version.wrapped_key, version.key_id
            )
            data = storage.cipher.open(
                sealed, associated_data(document.id, version.version, document.organization_id)
            )
            actual = sha256_hex(data)
        except (KeyError, ValueError) as exc:
            actual = f"unreadable: {exc}"
        results.append(
            {
                "document_id": document.id,
                "kind": document.kind.value,
                "version": version.version,
                "recorded_sha256": version.sha256,
                "actual_sha256": actual,
                "match": actual == version.sha256,
            }
        )
    return results
