"""The platform's one content hash: SHA-256, written as lowercase hex."""

from __future__ import annotations

import hashlib


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of `data` (documents, proof bundles, the audit chain, stored
    secrets)."""
    return hashlib.sha256(data).hexdigest()
