"""The verification page over the real app with the platform's two verify methods
replaced by ones answering verifications built by hand (`tests.certificate_samples`):
issued certificates by id, and pasted documents judged by whether they were altered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app.domain.certificates.verification import CertificateVerification, Proof
from app.domain.shared.errors import NotFound
from tests.certificate_samples import sample_document, verification

TAMPERED_ID = "cert_01JD8Z6Q4WQ6R2C5X4T8TAMPER"


def issued() -> dict[str, CertificateVerification]:
    """A valid certificate and one whose quantity was changed after signing."""
    good = sample_document()
    bad = sample_document(certificate_id=TAMPERED_ID, quantity="25", quantity_kg=25000)
    return {
        str(good["id"]): verification(good),
        TAMPERED_ID: verification(bad, broken=(Proof.SIGNATURE, Proof.SERIALS)),
    }


def judge(document: Mapping[str, Any]) -> CertificateVerification:
    """A pasted document is valid when it is the sample as issued, else its signature fails."""
    altered = dict(document) != sample_document(certificate_id=str(document.get("id")))
    return verification(dict(document), broken=(Proof.SIGNATURE,) if altered else ())


def with_hand_built_verifications(app: Flask, monkeypatch: Any) -> None:
    platform = app.extensions["platform"]
    certificates = issued()

    def verify_certificate(certificate_id: str) -> CertificateVerification:
        if certificate_id not in certificates:
            raise NotFound("certificate not found", code="certificate_not_found")
        return certificates[certificate_id]

    monkeypatch.setattr(platform, "verify_certificate", verify_certificate)
    monkeypatch.setattr(platform, "verify_document", judge)
