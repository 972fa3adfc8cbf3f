"""What the verification page shows of a certificate's verification: the certificate's
facts, a verdict per proof, the overall verdict and the provenance, rendered from the
templates of this package (no script, no external asset: the CSS is inline)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import render_template, url_for

from app.domain.certificates.verification import CertificateVerification, Proof
from app.domain.certificates.wording import (
    PROOF_TITLES,
    instant,
    part,
    pseudonymous,
    quantity,
    serial_range,
    steps,
    text,
)
from app.domain.shared.json import JSON


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    code: bool = False  # an id or a hash: shown in a monospace font, broken anywhere


@dataclass(frozen=True)
class ProofLine:
    title: str
    state: str  # "valid", "invalid", or "unchecked" (the verification did not make it)
    detail: str

    @property
    def mark(self) -> str:
        return {"valid": "Valid", "invalid": "Invalid"}.get(self.state, "Not checked")


def facts(document: Mapping[str, JSON]) -> list[Fact]:
    """The certificate as a list of facts, in the order of its PDF."""
    project = part(document, "project")
    beneficiary = (
        Fact("Beneficiary (pseudonym)", text(document.get("beneficiary")), code=True)
        if pseudonymous(document)
        else Fact("Beneficiary", text(document.get("beneficiary")))
    )
    return [
        Fact("Project", text(project.get("name"))),
        Fact("Project id", text(project.get("id")), code=True),
        Fact("Type", text(project.get("type"))),
        Fact("Country", text(project.get("country"))),
        Fact("Methodology", text(project.get("methodology"))),
        Fact("Standard", text(project.get("standard"))),
        Fact("Vintage", text(document.get("vintage"))),
        Fact("Quantity", quantity(document)),
        Fact("Serial number", text(document.get("serial_number")), code=True),
        Fact("Serial range", serial_range(document)),
        beneficiary,
        Fact("Purpose", text(document.get("purpose"))),
        Fact("Retired at", instant(document.get("retired_at"))),
        Fact("Transaction hash", text(document.get("tx_hash")), code=True),
        Fact("Block", text(document.get("block_number"))),
        Fact("Log index", text(document.get("log_index"))),
        Fact("Chain id", text(document.get("chain_id"))),
        Fact("Contract", text(document.get("contract")), code=True),
        Fact("PoAI bundle hash", text(document.get("poai_bundle_hash")), code=True),
        Fact("Certificate id", text(document.get("id")), code=True),
        Fact("Issued at", instant(document.get("issued_at"))),
        Fact(
            "Signed with key", f"{text(document.get('key_id'))} ({text(document.get('algorithm'))})"
        ),
    ]


def proof_lines(verification: CertificateVerification) -> list[ProofLine]:
    """Every proof, in order; one the verification did not check is shown as such."""
    lines = []
    for proof in Proof:
        check = verification.checks.get(proof)
        if check is None:
            lines.append(ProofLine(PROOF_TITLES[proof], "unchecked", "This proof was not checked."))
        else:
            state = "valid" if check.valid else "invalid"
            lines.append(ProofLine(PROOF_TITLES[proof], state, check.detail))
    return lines


def render_verification(verification: CertificateVerification) -> str:
    """The verification page of `verification` (in a request: it links to the form)."""
    document = verification.document
    failing = sum(1 for check in verification.checks.values() if not check.valid)
    return render_template(
        "verify_certificate.html",
        certificate_id=text(document.get("id")),
        valid=verification.valid,
        failing=failing,
        checked=len(verification.checks),
        facts=facts(document),
        proofs=proof_lines(verification),
        steps=steps(document),
        pseudonymous=pseudonymous(document),
        form_action=url_for("verify.verify_pasted"),
    )


def render_form(message: str | None = None, pasted: str = "") -> str:
    """The form where a certificate's JSON is pasted or uploaded, with what went wrong."""
    return render_template(
        "verify_form.html",
        message=message,
        pasted=pasted,
        form_action=url_for("verify.verify_pasted"),
    )


def render_missing(certificate_id: str) -> str:
    return render_template(
        "verify_missing.html",
        certificate_id=certificate_id,
        form_action=url_for("verify.verify_pasted"),
    )
