"""The four proofs of a certificate, each valid for an issued one and each broken by
what it guards against: a changed byte (signature), a changed amount (serials, chain),
another bundle (PoAI), a shared kilogram (serials), a transaction gone (chain)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from app.domain.certificates.checks import Keys, Node
from app.domain.certificates.errors import CertificateNotFound
from app.domain.certificates.proofs import Verifier, verify_certificate, verify_document
from app.domain.certificates.verification import Proof
from app.domain.credits.model import Retirement
from app.domain.poai.verification import TrustedKey
from app.domain.shared.json import JSON
from tests.fakes.registry import decode
from tests.fakes.signing import FakeHmacChecker, FakeHmacSigner
from tests.unit.certificates.world import CertificatesWorld


@pytest.fixture
def world() -> CertificatesWorld:
    minted = CertificatesWorld()
    minted.minted(kg=50_000)
    return minted


def _verdicts(result: object) -> dict[str, bool]:
    return {str(p): c.valid for p, c in result.checks.items()}  # type: ignore[attr-defined]


def test_an_issued_certificate_passes_all_four_proofs(world: CertificatesWorld):
    certificate = world.certified()

    result = verify_certificate(certificate.id, uow=world.uow, verifier=world.verifier)

    assert _verdicts(result) == {"signature": True, "chain": True, "poai": True, "serials": True}
    assert result.valid
    body = result.to_json()
    assert body["valid"] is True
    assert body["certificate"] == certificate.document
    assert "confirmations" in result.checks[Proof.CHAIN].detail


def test_an_unknown_certificate_is_not_found(world: CertificatesWorld):
    with pytest.raises(CertificateNotFound):
        verify_certificate("nope", uow=world.uow, verifier=world.verifier)


def test_offline_the_signature_poai_signature_and_arithmetic_are_checked(
    world: CertificatesWorld,
):
    document = world.certified().document

    result = verify_document(document, verifier=Verifier(world.keys))

    assert _verdicts(result) == {"signature": True, "poai": True, "serials": True}
    assert result.valid


def test_a_changed_purpose_breaks_the_signature_only(world: CertificatesWorld):
    document = dict(world.certified().document)
    document["purpose"] = "something else"

    result = verify_document(document, verifier=world.verifier, uow=world.uow)

    assert _verdicts(result) == {"signature": False, "chain": True, "poai": True, "serials": True}
    assert not result.valid


def test_a_changed_amount_breaks_the_signature_the_serials_and_the_chain(
    world: CertificatesWorld,
):
    document = dict(world.certified().document)
    document["quantity_kg"] = 3_000

    result = verify_document(document, verifier=world.verifier, uow=world.uow)

    assert _verdicts(result) == {
        "signature": False,
        "chain": False,
        "poai": True,
        "serials": False,
    }


def test_a_consistently_changed_range_still_fails_against_the_records(world: CertificatesWorld):
    document: dict[str, JSON] = copy.deepcopy(world.certified().document)
    project_id = document["project"]["id"]  # type: ignore[index,call-overload]
    document.update(
        quantity="3",
        quantity_kg=3_000,
        kg_end=3_999,
        serial_end=3,
        serial_number=f"CPB-{project_id}-BR-2024-1-1000-3999",
    )

    live = verify_document(document, verifier=world.verifier, uow=world.uow)
    offline = verify_document(document, verifier=Verifier(world.keys))

    assert offline.checks[Proof.SERIALS].valid  # the arithmetic holds...
    assert not live.checks[Proof.SERIALS].valid  # ...the platform's records do not
    assert not live.checks[Proof.CHAIN].valid
    assert not live.checks[Proof.SIGNATURE].valid


def test_a_signature_by_an_untrusted_key_is_refused(world: CertificatesWorld):
    document = world.certified().document
    other = FakeHmacSigner(b"someone else", "key-x")
    keys = Keys([TrustedKey(other.key_id, other.public_key())], FakeHmacChecker())

    result = verify_document(document, verifier=Verifier(keys))

    assert not result.checks[Proof.SIGNATURE].valid
    assert "not a trusted" in result.checks[Proof.SIGNATURE].detail
    assert not result.checks[Proof.POAI].valid


def test_a_bundle_hash_other_than_the_proofs_breaks_the_poai_proof(world: CertificatesWorld):
    certificate = world.certified()
    stored = world.uow.poai.proof("case-1")
    assert stored is not None
    world.uow.poai.proofs["case-1"] = replace(stored, bundle_hash="cd" * 32)

    result = verify_certificate(certificate.id, uow=world.uow, verifier=world.verifier)

    assert _verdicts(result)["poai"] is False
    assert "another bundle hash" in result.checks[Proof.POAI].detail


def test_a_poai_block_that_does_not_match_the_cited_hash_is_refused(world: CertificatesWorld):
    document: dict[str, JSON] = copy.deepcopy(world.certified().document)
    document["poai_bundle_hash"] = "cd" * 32

    result = verify_document(document, verifier=Verifier(world.keys))

    assert not result.checks[Proof.POAI].valid


def test_kilograms_shared_with_another_retirement_break_the_serials(world: CertificatesWorld):
    certificate = world.certified(kg=2_500)
    retirement = world.uow.credits.get_retirement(certificate.retirement_id)
    assert isinstance(retirement, Retirement)
    # what the database's exclusion constraint refuses, forced into the fake
    world.uow.credits.retirements["intruder"] = replace(retirement, id="intruder")

    result = verify_certificate(certificate.id, uow=world.uow, verifier=world.verifier)

    assert _verdicts(result)["serials"] is False
    assert "intruder" in result.checks[Proof.SERIALS].detail


def test_a_transaction_the_chain_no_longer_has_breaks_the_chain_proof(world: CertificatesWorld):
    certificate = world.certified()
    world.chain.reorganize(1)

    result = verify_certificate(certificate.id, uow=world.uow, verifier=world.verifier)

    assert _verdicts(result)["chain"] is False
    assert "no successful transaction" in result.checks[Proof.CHAIN].detail


def test_a_block_not_deep_enough_on_the_node_breaks_the_chain_proof(world: CertificatesWorld):
    certificate = world.certified()
    deep = Verifier(world.keys, Node(world.chain, decode, confirmations=5))

    result = verify_document(certificate.document, verifier=deep)

    assert not result.checks[Proof.CHAIN].valid
    assert "confirmations only" in result.checks[Proof.CHAIN].detail


def test_a_document_that_is_not_a_certificate_is_invalid_never_an_error(
    world: CertificatesWorld,
):
    result = verify_document({"hello": "world"}, verifier=world.verifier, uow=world.uow)

    assert not result.valid
    assert all(not check.valid for check in result.checks.values())
