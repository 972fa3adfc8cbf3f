"""Errors of documents."""

from __future__ import annotations

from app.domain.shared.errors import InvalidValue


class UnsupportedContent(InvalidValue):
    """The file is not of a kind a registry keeps (judged by its content)."""

    code = "unsupported_content"


class EmptyFile(InvalidValue):
    """An upload with no bytes."""

    code = "empty_file"
