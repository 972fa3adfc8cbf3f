"""Download links: short-lived, signed by the platform for one caller and one version;
every download is logged and the plaintext is checked against its recorded hash. And
the access log of a document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.documents.model import (
    AccessEntry,
    associated_data,
    link_is_valid,
    sign_link,
)
from app.domain.documents.services import Storage, readable_document
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied
from app.domain.shared.hashing import sha256_hex
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.documents import ProjectDocumentsUoW
from app.ports.storage import SealedObject

LINK_TTL = timedelta(minutes=10)


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


def create_download_link(
    principal: Principal,
    document_id: str,
    *,
    version: int | None,
    uow: ProjectDocumentsUoW,
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
    link: DownloadLink,
    *,
    uow: ProjectDocumentsUoW,
    storage: Storage,
    clock: Clock,
    ip: str | None = None,
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
    principal: Principal, document_id: str, *, offset: int, limit: int, uow: ProjectDocumentsUoW
) -> tuple[list[AccessEntry], int]:
    with uow:
        document, project = readable_document(principal, document_id, uow)
        if not principal.admin_or_role_in(
            project.organization_id, {OrgRole.ADMIN, OrgRole.AUDITOR}
        ):
            raise PermissionDenied("the access log is for the organization's admins and auditors")
        return uow.documents.access_log(document.id, offset, limit)
