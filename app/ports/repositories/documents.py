"""Repository of documents, their versions and their access log."""

from __future__ import annotations

from typing import Protocol

from app.domain.documents.model import AccessEntry, Document, DocumentVersion
from app.ports.repositories.platform import PlatformUoW
from app.ports.repositories.projects import ProjectsUoW


class DocumentRepository(Protocol):
    def add(self, document: Document) -> None: ...

    def get(self, document_id: str) -> Document | None: ...

    def get_for_update(self, document_id: str) -> Document | None: ...

    def save(self, document: Document) -> None:
        """Its current version, visibility and update time."""
        ...

    def add_version(self, version: DocumentVersion) -> None: ...

    def version(self, document_id: str, version: int) -> DocumentVersion | None: ...

    def versions(self, document_id: str) -> list[DocumentVersion]: ...

    def list_for_project(self, project_id: str) -> list[Document]: ...

    def add_access(self, entry: AccessEntry) -> None: ...

    def access_log(
        self, document_id: str, offset: int, limit: int
    ) -> tuple[list[AccessEntry], int]:
        """Oldest first: the page from `offset` and how many entries there are in all."""
        ...

    def wrapped_by_other_keys(self, key_id: str, limit: int) -> list[DocumentVersion]:
        """Versions whose data key is wrapped by another master key than `key_id`."""
        ...

    def rewrap(self, document_id: str, version: int, wrapped_key: bytes, key_id: str) -> None: ...


class DocumentsUoW(PlatformUoW, Protocol):
    @property
    def documents(self) -> DocumentRepository: ...


class ProjectDocumentsUoW(ProjectsUoW, DocumentsUoW, Protocol):
    """What the document use cases work in: a document belongs to a project, and who may
    read or upload it follows the project."""
