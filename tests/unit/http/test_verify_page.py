"""The verification page rendered from verifications built by hand: a valid certificate,
a tampered one, a pseudonymous beneficiary, a proof left unchecked, and a document of
unexpected shapes (pasted by anyone) shown without breaking."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask

from app.domain.certificates.verification import CertificateVerification, Proof, ProofCheck
from app.http.verify.routes import pages
from app.http.verify.view import render_verification
from tests.certificate_samples import (
    BUNDLE_HASH,
    CERTIFICATE_ID,
    TX_HASH,
    pseudonym,
    sample_document,
    verification,
)


@pytest.fixture
def page_of():
    app = Flask(__name__)
    app.register_blueprint(pages)

    def render(checked: CertificateVerification) -> str:
        with app.test_request_context("/verify/x"):
            return render_verification(checked)

    return render


def visible(page: str) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, spaces collapsed."""
    without_style = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without_style)).split())


def proof_states(page: str) -> list[tuple[str, str]]:
    """Each proof's title and state (its CSS class, which gives its colour), in order."""
    found = re.findall(r'<li class="proof (\w+)">.*?<strong>([^<]+)</strong>', page, re.S)
    return [(title, state) for state, title in found]


def test_a_valid_certificate_shows_its_facts_every_proof_valid_and_its_provenance(page_of):
    page = page_of(verification())
    text = visible(page)
    assert "Valid certificate" in text
    assert "Invalid" not in text
    assert "Quantity 2.5 t CO2e (2,500 kg)" in text
    assert f"Serial number {sample_document()['serial_number']}" in text
    assert "Serial range serials 1 to 3; on chain, kilograms 1,001 to 3,500" in text
    assert "Beneficiary Acme Renewables Ltd" in text
    assert "Purpose Offsetting the 2024 business travel" in text
    assert "Retired at 2024-09-30 16:45:03 UTC" in text
    assert f"Transaction hash {TX_HASH}" in text
    assert "Block 18204771 Log index 3" in text
    assert f"PoAI bundle hash {BUNDLE_HASH}" in text
    assert f"Certificate id {CERTIFICATE_ID}" in text
    assert "Project Kasigau Corridor Community Forest Protection" in text
    assert proof_states(page) == [
        ("Signature", "valid"),
        ("Retirement on chain", "valid"),
        ("PoAI bundle", "valid"),
        ("Serial range", "valid"),
    ]
    assert text.count("✔ Valid") == 5  # the verdict and each proof
    assert "Kilograms 1001 to 3500 were retired by this retirement alone." in text
    for step in ("1. PoAI approval", "2. Issuance", "3. Transfer", "4. Retirement"):
        assert step in text
    assert "batch id bat_3Vd8Kp1Zs6" in text
    assert "<script" not in page
    assert "http" not in page.split("<body>")[0].replace("https://registry.example.org", "")


def test_a_tampered_certificate_is_invalid_naming_the_proofs_that_fail(page_of):
    tampered = sample_document(quantity="25", quantity_kg=25000)
    page = page_of(verification(tampered, broken=(Proof.SIGNATURE, Proof.SERIALS)))
    text = visible(page)
    assert "Invalid certificate" in text
    assert "2 of 4 proofs checked do not hold" in text
    assert "Quantity 25 t CO2e (25,000 kg)" in text
    assert proof_states(page) == [
        ("Signature", "invalid"),
        ("Retirement on chain", "valid"),
        ("PoAI bundle", "valid"),
        ("Serial range", "invalid"),
    ]
    assert "The signature check failed: the document was altered." in text
    assert "<title>Certificate cert_01JD8Z6Q4WQ6R2C5X4T8E9V3KM: Invalid</title>" in page


def test_a_pseudonymous_beneficiary_shows_only_its_pseudonym(page_of):
    text = visible(page_of(verification(sample_document(visibility="pseudonymous"))))
    assert f"Beneficiary (pseudonym) {pseudonym('Acme Renewables Ltd')}" in text
    assert "Acme Renewables Ltd" not in text
    assert "The beneficiary's name is not published" in text


def test_a_proof_not_checked_is_shown_as_such_and_the_certificate_is_not_valid(page_of):
    checks = {Proof.SIGNATURE: ProofCheck(True, "The signature holds.")}
    page = page_of(CertificateVerification(sample_document(), checks))
    text = visible(page)
    assert "Valid certificate" in text  # every proof checked holds
    assert text.count("Not checked") == 3
    nothing = visible(page_of(CertificateVerification(sample_document(), {})))
    assert "Invalid certificate" in nothing
    assert "No proof could be checked." in nothing


def test_a_document_of_unexpected_shapes_is_shown_escaped(page_of):
    odd = {
        "version": "certificate/1",
        "id": "<script>alert(1)</script>",
        "project": "not an object",
        "quantity": {"a": 1},
        "provenance": ["not a step", {"step": "minting", "at": "yesterday", "by": None}],
    }
    page = page_of(verification(odd, broken=tuple(Proof)))
    text = visible(page)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "1. minting yesterday by —" in text
    assert "Invalid certificate" in text
