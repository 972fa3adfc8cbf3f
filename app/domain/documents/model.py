"""Documents: versions of encrypted files, what their content really is, and the
app-signed links that serve them."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from app.domain.documents.errors import EmptyFile, UnsupportedContent
from app.domain.shared.text import remove_unsafe

# What the access log records of a document version.
AccessAction = Literal["upload", "link", "download"]


class DocumentKind(StrEnum):
    PROJECT_DESIGN = "project_design"
    MONITORING_REPORT = "monitoring_report"
    VALIDATION_REPORT = "validation_report"
    VERIFICATION_REPORT = "verification_report"
    LAND_TITLE = "land_title"
    OTHER = "other"
    POAI_BUNDLE = "poai_bundle"  # written by the platform, not uploaded


UPLOADABLE = [k for k in DocumentKind if k != DocumentKind.POAI_BUNDLE]


class Visibility(StrEnum):
    """Who reads a document besides its project's organization, the project's assigned
    reviewers and platform admins: everyone who sees the project (`public`), or no one
    else (`private`)."""

    PUBLIC = "public"
    PRIVATE = "private"


# What a document is unless its owner says otherwise. Registries publish the design
# document and the monitoring, validation and verification reports of what they list;
# a land title names owners and parcels, "other" can be anything, and a proof bundle
# carries the reviewers' notes (it is served to the case's parties only): private.
DEFAULT_VISIBILITY: dict[DocumentKind, Visibility] = {
    DocumentKind.PROJECT_DESIGN: Visibility.PUBLIC,
    DocumentKind.MONITORING_REPORT: Visibility.PUBLIC,
    DocumentKind.VALIDATION_REPORT: Visibility.PUBLIC,
    DocumentKind.VERIFICATION_REPORT: Visibility.PUBLIC,
    DocumentKind.LAND_TITLE: Visibility.PRIVATE,
    DocumentKind.OTHER: Visibility.PRIVATE,
    DocumentKind.POAI_BUNDLE: Visibility.PRIVATE,
}


@dataclass
class Document:
    id: str
    project_id: str
    organization_id: str
    kind: DocumentKind
    current_version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    visibility: Visibility = Visibility.PRIVATE


@dataclass(frozen=True)
class DocumentVersion:
    document_id: str
    version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_backend: str
    locator: str
    wrapped_key: bytes
    key_id: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class AccessEntry:
    id: str
    document_id: str
    version: int
    action: AccessAction
    actor_id: str | None
    ip: str | None
    request_id: str | None
    at: datetime


def associated_data(document_id: str, version: int, organization_id: str) -> bytes:
    """What the ciphertext is bound to: moving it to another document, version or owner
    makes decryption fail."""
    return f"document:{document_id}|version:{version}|owner:{organization_id}".encode()


def storage_key(document_id: str, version: int) -> str:
    return f"documents/{document_id}/v{version}"


_ZIP_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff_content_type(data: bytes) -> str:
    """The type by content, never by name; refuses what a registry has no use for."""
    if not data:
        raise EmptyFile("the file is empty")
    head = data[:512]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] in {b"II*\x00", b"MM\x00*"}:
        return "image/tiff"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    return _text_type(data)


def _zip_type(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        raise UnsupportedContent("a damaged ZIP file") from None
    for prefix, content_type in _ZIP_TYPES.items():
        if any(n.startswith(prefix) for n in names):
            return content_type
    return "application/zip"


def _text_type(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedContent(
            "unsupported file type: PDF, images, Office documents, ZIP, JSON, GeoJSON, KML, "
            "CSV or plain text"
        ) from None
    if "\x00" in text:
        raise UnsupportedContent("binary data in a text file")
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            return "text/plain"
        geo = isinstance(parsed, dict) and parsed.get("type") in {"FeatureCollection", "Feature"}
        return "application/geo+json" if geo else "application/json"
    if stripped.startswith("<") and "<kml" in stripped[:2000]:
        return "application/vnd.google-earth.kml+xml"
    first = stripped.split("\n", 1)[0]
    return "text/csv" if first.count(",") >= 1 and "\n" in stripped else "text/plain"


MAX_FILENAME = 255  # characters, extension included
MAX_EXTENSION = 16  # a longer "extension" is only part of the name


def safe_filename(name: str | None) -> str:
    """A display name only (never a path): the last path segment, NFC, without control,
    formatting, bidirectional or other invisible characters, at most `MAX_FILENAME`
    characters; a long name is cut before its extension, which is kept."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(
        c
        for c in unicodedata.normalize("NFC", remove_unsafe(base))
        if unicodedata.category(c)[0] != "C"
    )
    base = base.strip().strip(".").strip() or "document"
    if len(base) <= MAX_FILENAME:
        return base
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION:
        stem, extension = base, ""
    suffix = f".{extension}" if extension else ""
    return (stem[: MAX_FILENAME - len(suffix)].rstrip(" .") or "document") + suffix


def sign_link(key: bytes, document_id: str, version: int, expires: int, actor_id: str) -> str:
    message = f"{document_id}|{version}|{expires}|{actor_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def link_is_valid(
    key: bytes, document_id: str, version: int, expires: int, actor_id: str, *, signature: str
) -> bool:
    expected = sign_link(key, document_id, version, expires, actor_id)
    # bytes: compare_digest refuses str with non-ASCII characters
    return hmac.compare_digest(expected.encode(), signature.encode())
