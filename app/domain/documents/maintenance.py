"""Upkeep of stored documents: checking every stored version against its recorded hash,
and key rotation, which re-wraps every data key under the active master key. The
ciphertexts in the blob stores are read (each is authenticated before its key is
re-wrapped, so a rotation never vouches for a damaged object) but never rewritten."""

from __future__ import annotations

from app.domain.documents.model import (
    associated_data,
)
from app.domain.documents.services import Storage
from app.domain.shared.audit import AuditRecord
from app.domain.shared.hashing import sha256_hex
from app.ports.repositories.documents import DocumentsUoW, ProjectDocumentsUoW
from app.ports.storage import BlobStore, EnvelopeCipher, SealedObject


def rotate_keys(
    *, uow: DocumentsUoW, cipher: EnvelopeCipher, store: BlobStore, batch: int = 200
) -> int:
    """Returns how many document versions were re-wrapped."""
    total = 0
    while True:
        with uow:
            pending = uow.documents.wrapped_by_other_keys(cipher.active_key_id, batch)
            for version in pending:
                document = uow.documents.get(version.document_id)
                if document is None:
                    continue
                aad = associated_data(document.id, version.version, document.organization_id)
                ciphertext = store.get(version.locator)
                sealed = SealedObject(ciphertext, version.wrapped_key, version.key_id)
                fresh = cipher.rewrap(sealed, aad)
                uow.documents.rewrap(document.id, version.version, fresh.wrapped_key, fresh.key_id)
            if pending:
                uow.audit(
                    AuditRecord(
                        "documents.keys_rotated",
                        "master_key",
                        cipher.active_key_id,
                        None,
                        after={"versions": len(pending)},
                    )
                )
            uow.commit()
        total += len(pending)
        if len(pending) < batch:
            return total


def verify_stored_documents(
    project_id: str, *, uow: ProjectDocumentsUoW, storage: Storage
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
