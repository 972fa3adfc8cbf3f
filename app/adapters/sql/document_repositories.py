"""SQL repository of documents, versions and the access log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_documents import (
    document_access_log,
    document_versions,
    project_documents,
)
from app.domain.documents.model import (
    AccessEntry,
    Document,
    DocumentKind,
    DocumentVersion,
    Visibility,
)


def _document(row: Any) -> Document:
    data = dict(row._mapping)
    data["kind"] = DocumentKind(data["kind"])
    data["visibility"] = Visibility(data["visibility"])
    return Document(**data)


def _version(row: Any) -> DocumentVersion:
    data = dict(row._mapping)
    data["wrapped_key"] = bytes(data["wrapped_key"])
    return DocumentVersion(**data)


class SqlDocumentRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, document: Document) -> None:
        values = {
            **asdict(document),
            "kind": document.kind.value,
            "visibility": document.visibility.value,
        }
        self._db.execute(sa.insert(project_documents).values(values))

    def get(self, document_id: str) -> Document | None:
        return self._one(document_id, lock=False)

    def get_for_update(self, document_id: str) -> Document | None:
        return self._one(document_id, lock=True)

    def _one(self, document_id: str, *, lock: bool) -> Document | None:
        query = sa.select(project_documents).where(project_documents.c.id == document_id)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        return _document(row) if row else None

    def save(self, document: Document) -> None:
        self._db.execute(
            sa.update(project_documents)
            .where(project_documents.c.id == document.id)
            .values(
                current_version=document.current_version,
                visibility=document.visibility.value,
                updated_at=document.updated_at,
            )
        )

    def add_version(self, version: DocumentVersion) -> None:
        self._db.execute(sa.insert(document_versions).values(asdict(version)))

    def version(self, document_id: str, version: int) -> DocumentVersion | None:
        row = self._db.execute(
            sa.select(document_versions).where(
                (document_versions.c.document_id == document_id)
                & (document_versions.c.version == version)
            )
        ).first()
        return _version(row) if row else None

    def versions(self, document_id: str) -> list[DocumentVersion]:
        rows = self._db.execute(
            sa.select(document_versions)
            .where(document_versions.c.document_id == document_id)
            .order_by(document_versions.c.version)
        )
        return [_version(r) for r in rows]

    def list_for_project(self, project_id: str) -> list[Document]:
        rows = self._db.execute(
            sa.select(project_documents)
            .where(project_documents.c.project_id == project_id)
            .order_by(project_documents.c.created_at, project_documents.c.id)
        )
        return [_document(r) for r in rows]

    def add_access(self, entry: AccessEntry) -> None:
        self._db.execute(sa.insert(document_access_log).values(asdict(entry)))

    def access_log(
        self, document_id: str, offset: int, limit: int
    ) -> tuple[list[AccessEntry], int]:
        query = (
            sa.select(document_access_log)
            .where(document_access_log.c.document_id == document_id)
            .order_by(document_access_log.c.at, document_access_log.c.id)
        )
        rows, total = page_of(self._db, query, offset, limit)
        return [AccessEntry(**dict(r._mapping)) for r in rows], total

    def wrapped_by_other_keys(self, key_id: str, limit: int) -> list[DocumentVersion]:
        rows = self._db.execute(
            sa.select(document_versions)
            .where(document_versions.c.key_id != key_id)
            .order_by(document_versions.c.document_id, document_versions.c.version)
            .limit(limit)
            .with_for_update()
        )
        return [_version(r) for r in rows]

    def rewrap(self, document_id: str, version: int, wrapped_key: bytes, key_id: str) -> None:
        self._db.execute(
            sa.update(document_versions)
            .where(
                (document_versions.c.document_id == document_id)
                & (document_versions.c.version == version)
            )
            .values(wrapped_key=wrapped_key, key_id=key_id)
        )
