"""In-memory documents repository and blob storage (with a cipher that really binds
each object to its ids, so moving ciphertext around fails like it does for real)."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections.abc import Iterable, Iterator

from app.domain.documents.model import AccessEntry, Document, DocumentVersion
from app.domain.documents.services import Storage
from app.ports.storage import SealedKey, SealedObject


class FakeDocumentRepository:
    def __init__(self) -> None:
        self.items: dict[str, Document] = {}
        self.versions_of: dict[tuple[str, int], DocumentVersion] = {}
        self.accesses: list[AccessEntry] = []

    def add(self, document: Document) -> None:
        self.items[document.id] = copy.deepcopy(document)

    def get(self, document_id: str) -> Document | None:
        return copy.deepcopy(self.items.get(document_id))

    get_for_update = get
    save = add

    def add_version(self, version: DocumentVersion) -> None:
        self.versions_of[(version.document_id, version.version)] = version

    def version(self, document_id: str, version: int) -> DocumentVersion | None:
        return self.versions_of.get((document_id, version))

    def versions(self, document_id: str) -> list[DocumentVersion]:
        found = [v for (d, _), v in self.versions_of.items() if d == document_id]
        return sorted(found, key=lambda v: v.version)

    def list_for_project(self, project_id: str) -> list[Document]:
        return [copy.deepcopy(d) for d in self.items.values() if d.project_id == project_id]

    def add_access(self, entry: AccessEntry) -> None:
        self.accesses.append(entry)

    def access_log(
        self, document_id: str, offset: int, limit: int
    ) -> tuple[list[AccessEntry], int]:
        found = [a for a in self.accesses if a.document_id == document_id]
        return found[offset : offset + limit], len(found)

    def wrapped_by_other_keys(self, key_id: str, limit: int) -> list[DocumentVersion]:
        return [v for v in self.versions_of.values() if v.key_id != key_id][:limit]

    def rewrap(self, document_id: str, version: int, wrapped_key: bytes, key_id: str) -> None:
        old = self.versions_of[(document_id, version)]
        self.versions_of[(document_id, version)] = dataclasses.replace(
            old, wrapped_key=wrapped_key, key_id=key_id
        )


class FakeBlobStore:
    name = "fake"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> str:
        self.objects[key] = data
        return key

    def get(self, locator: str) -> bytes:
        return self.objects[locator]

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> str:
        return self.put(key, b"".join(chunks))

    def get_stream(self, locator: str) -> Iterator[bytes]:
        data = self.objects[locator]
        return iter([data[i : i + 65536] for i in range(0, len(data), 65536)] or [b""])

    def delete(self, locator: str) -> None:
        self.objects.pop(locator, None)


class FakeEnvelopeCipher:
    """Not encryption: the plaintext is kept as is, with a tag over it and the associated
    data, so that opening it under other ids raises ValueError as AES-GCM would."""

    active_key_id = "fake-master"

    def seal(self, plaintext: bytes, associated_data: bytes) -> SealedObject:
        return SealedObject(_tag(plaintext, associated_data) + plaintext, b"k", self.active_key_id)

    def open(self, sealed: SealedObject, associated_data: bytes) -> bytes:
        tag, plaintext = sealed.ciphertext[:32], sealed.ciphertext[32:]
        if tag != _tag(plaintext, associated_data):
            raise ValueError("the object is not bound to these ids")
        return plaintext

    def seal_stream(
        self, chunks: Iterable[bytes], associated_data: bytes
    ) -> tuple[SealedKey, Iterator[bytes]]:
        """The chunks as they are, then a tag over them and the associated data."""

        def sealed() -> Iterator[bytes]:
            digest = hashlib.sha256(associated_data + b"|")
            for chunk in chunks:
                digest.update(chunk)
                yield chunk
            yield digest.digest()

        return SealedKey(b"k", self.active_key_id), sealed()

    def open_stream(
        self, key: SealedKey, chunks: Iterable[bytes], associated_data: bytes
    ) -> Iterator[bytes]:
        digest = hashlib.sha256(associated_data + b"|")
        held = b""
        for chunk in chunks:
            held += chunk
            ready, held = held[:-32], held[-32:]
            digest.update(ready)
            yield ready
        if len(held) != 32 or held != digest.digest():
            raise ValueError("the object is not bound to these ids")

    def rewrap(self, sealed: SealedObject, associated_data: bytes) -> SealedObject:
        return sealed


def _tag(plaintext: bytes, associated_data: bytes) -> bytes:
    return hashlib.sha256(associated_data + b"|" + plaintext).digest()


def fake_storage() -> Storage:
    return Storage(FakeBlobStore(), FakeEnvelopeCipher(), b"link key")
