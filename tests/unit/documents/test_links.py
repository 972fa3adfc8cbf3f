"""Signed download links: the signature check refuses anything but the exact signature,
whatever characters it is made of."""

from __future__ import annotations

import pytest

from app.domain.documents.model import link_is_valid, sign_link

KEY = b"k" * 32


def test_the_signature_of_the_link_is_accepted() -> None:
    signature = sign_link(KEY, "doc", 1, 100, "user")
    assert link_is_valid(KEY, "doc", 1, 100, "user", signature=signature)


@pytest.mark.parametrize("signature", ["é" * 64, "\u202e" * 64, "", "0" * 64, "x"])
def test_any_other_signature_is_refused_without_raising(signature: str) -> None:
    assert not link_is_valid(KEY, "doc", 1, 100, "user", signature=signature)
