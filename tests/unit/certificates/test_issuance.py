"""Issuing certificates: once per retirement, only past the confirmation depth, with the
document's fields, provenance, custom fields and layout of the moment."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.certificates.document import Sources, provenance, signed_bytes
from app.domain.certificates.errors import CertificateExists
from app.domain.certificates.jobs import issue_certificate
from app.domain.certificates.model import (
    CertificateTemplate,
    CustomField,
    OrganizationFields,
    serial_number,
)
from app.domain.credits.model import RetirementStatus
from app.ports.repositories.certificates import Delivery
from tests.fakes.signing import FakeHmacChecker
from tests.unit.builders import NOW, ORG, PID
from tests.unit.certificates.world import BASE_URL, SIGNER, CertificatesWorld
from tests.unit.ledger_world import BUNDLE_HASH


@pytest.fixture
def world() -> CertificatesWorld:
    minted = CertificatesWorld()
    minted.minted(kg=50_000)  # serials 1..50: kilograms 1000..50999
    return minted


def test_a_confirmed_retirement_gets_one_signed_certificate(world: CertificatesWorld):
    certificate = world.certified(kg=2_500)

    doc = certificate.document
    retirement = world.uow.credits.get_retirement(certificate.retirement_id)
    assert retirement is not None
    assert retirement.certificate_id == certificate.id
    assert doc["version"] == "certificate/1"
    assert (doc["id"], doc["retirement_id"]) == (certificate.id, retirement.id)
    assert (doc["quantity"], doc["quantity_kg"]) == ("2.5", 2_500)
    assert (doc["kg_start"], doc["kg_end"], doc["serial_start"], doc["serial_end"]) == (
        1_000,
        3_499,
        1,
        3,
    )
    assert doc["serial_number"] == f"CPB-{PID}-BR-2024-1-1000-3499"
    assert doc["project"] == {
        "id": PID,
        "name": "Mata Viva",
        "type": "forestry",
        "country": "BR",
        "methodology": "VM0047",
        "standard": "Verra VCS",
    }
    assert (doc["beneficiary"], doc["beneficiary_visibility"]) == ("Acme Ltd", "public")
    assert doc["holder"] == world.org_address
    assert doc["tx_hash"] == retirement.tx_hash
    assert (doc["block_number"], doc["log_index"]) == (retirement.confirmed_block, 0)
    assert (doc["chain_id"], doc["poai_bundle_hash"]) == (31337, BUNDLE_HASH)
    assert doc["verify_url"] == f"{BASE_URL}/verify/{certificate.id}"
    assert (doc["key_id"], doc["public_key"]) == (SIGNER.key_id, SIGNER.public_key())
    assert FakeHmacChecker().verify(SIGNER.public_key(), signed_bytes(doc), str(doc["signature"]))
    assert [step["step"] for step in doc["provenance"]] == [  # type: ignore[index,union-attr]
        "poai_approval",
        "issuance",
        "retirement",
    ]
    assert "certificates.issued" in world.audited()
    ready = [e for e in world.uow.dispatched if e.name == "certificates.certificate_ready"]
    assert len(ready) == 1
    assert {k: v for k, v in ready[0].payload().items() if k != "event_id"} == {
        "certificate_id": certificate.id,
        "retirement_id": retirement.id,
        "owner_kind": "organization",
        "owner_id": ORG,
        "organization_id": ORG,
        "verify_url": f"{BASE_URL}/verify/{certificate.id}",
    }


def test_a_job_delivered_twice_and_the_sweep_issue_nothing_more(world: CertificatesWorld):
    certificate = world.certified()
    job = next(j for j in world.uow.outbox.jobs.values() if j.name == "certificates.issue")
    world.uow.outbox.jobs[job.id] = replace(job, done_at=None)  # delivered again

    assert world.run_certificate_jobs() == ["certificates.issue"]
    again = issue_certificate(certificate.retirement_id, uow=world.uow, issuer=world.issuer)

    assert again == certificate
    assert world.sweep() == 0
    assert list(world.uow.certificates.certificates) == [certificate.id]
    assert world.audited().count("certificates.issued") == 1


def test_the_repository_refuses_a_second_certificate_of_a_retirement(world: CertificatesWorld):
    certificate = world.certified()
    with pytest.raises(CertificateExists):
        world.uow.certificates.add(replace(certificate, id="other"))


def test_a_shallow_block_waits_for_the_sweep_past_the_depth():
    world = CertificatesWorld(confirmations=2)
    world.minted(kg=50_000)
    world.chain.mine_empty(2)
    world.index()
    retirement = world.retire(kg=1_000)
    world.settle()
    confirmed = world.uow.credits.get_retirement(retirement.id)
    assert confirmed is not None
    assert confirmed.status == RetirementStatus.CONFIRMED

    assert world.run_certificate_jobs() == ["certificates.issue"]  # too shallow: nothing
    assert world.uow.certificates.of_retirement(retirement.id) is None
    assert world.sweep() == 0

    world.chain.mine_empty(2)
    world.index()
    assert world.sweep() == 1
    assert world.uow.certificates.of_retirement(retirement.id) is not None
    assert world.sweep() == 0


def test_a_pending_retirement_gets_no_certificate(world: CertificatesWorld):
    retirement = world.retire(kg=1_000)
    assert issue_certificate(retirement.id, uow=world.uow, issuer=world.issuer) is None


def test_serial_numbers_name_project_country_vintage_token_and_kilograms():
    assert (
        serial_number("p1", "KE", 2024, token_id=7, kg_start=1000, kg_end=3499)
        == "CPB-p1-KE-2024-7-1000-3499"
    )


def test_new_certificates_take_the_template_and_the_organizations_fields(
    world: CertificatesWorld,
):
    first = world.certified(kg=1_000)
    world.uow.certificates.save_template(
        CertificateTemplate(title="Retired", primary_color="#112233", footer_text="Thanks")
    )
    world.uow.certificates.save_organization_fields(
        OrganizationFields(ORG, [CustomField("Cost centre", "CC-42")])
    )
    world.uow.commit()

    second = world.certified(kg=1_000)

    assert first.document["custom_fields"] == []
    assert first.layout["title"] == "Carbon Credit Retirement Certificate"
    assert second.document["custom_fields"] == [{"label": "Cost centre", "value": "CC-42"}]
    assert second.layout["title"] == "Retired"
    assert second.layout["primary_color"] == "#112233"
    assert second.layout["custom_fields"] == [{"label": "Cost centre", "value": "CC-42"}]


def test_provenance_lists_marketplace_deliveries_between_issuance_and_retirement(
    world: CertificatesWorld,
):
    certificate = world.certified()
    retirement = world.uow.credits.get_retirement(certificate.retirement_id)
    assert retirement is not None
    event = world.uow.certificates.retirement_event(str(retirement.tx_hash), 1, 1_000)
    proof = world.uow.poai.proof("case-1")
    assert event is not None
    assert proof is not None
    delivery = Delivery("order-1", "0x" + "cd" * 32, "0xseller", "0xbuyer", 2_500, NOW)
    project = world.uow.projects.get(PID)
    assert project is not None
    sources = Sources(retirement, project, world.batch(), proof, NOW, event, [delivery], [])

    steps = provenance(sources)

    names = [step["step"] for step in steps]  # type: ignore[index]
    assert names == ["poai_approval", "issuance", "transfer", "retirement"]
    assert steps[2] == {
        "step": "transfer",
        "at": "2026-03-01T09:00:00.000000Z",
        "order_id": "order-1",
        "tx_hash": "0x" + "cd" * 32,
        "from": "0xseller",
        "to": "0xbuyer",
        "quantity_kg": 2_500,
    }
