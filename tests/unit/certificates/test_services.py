"""Reading certificates (who may, what the holder's copy discloses), pseudonymous
beneficiaries, the PDF in the layout of issue, the template and custom fields."""

from __future__ import annotations

import hashlib

import pytest

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.certificates import services
from app.domain.certificates.errors import CertificateNotFound, TooManyFields, UnknownLogo
from app.domain.certificates.model import CertificateTemplate, CustomField
from app.domain.certificates.proofs import verify_certificate
from app.domain.credits.model import pseudonym
from app.domain.shared.errors import InvalidValue, NotFound, PermissionDenied
from app.ports.certificates import CertificateLayout
from tests.fakes.certificates import FakeCertificateRenderer
from tests.unit.builders import ORG
from tests.unit.certificates.world import CertificatesWorld
from tests.unit.ledger_world import ADMIN, FINANCE, ISSUER, STRANGER, VIEWER

OUTSIDER_ADMIN = Principal(
    "u-other", "user", frozenset({Role.ENTERPRISE}), {"org-2": OrgRole.ADMIN}
)


@pytest.fixture
def world() -> CertificatesWorld:
    minted = CertificatesWorld()
    minted.minted(kg=50_000)
    return minted


def test_the_organizations_members_and_admins_read_it_others_do_not(world: CertificatesWorld):
    certificate = world.certified()

    for reader in (FINANCE, VIEWER, ISSUER, ADMIN):
        got = services.get_certificate(reader, certificate.id, uow=world.uow)
        assert got["id"] == certificate.id
    with pytest.raises(CertificateNotFound):
        services.get_certificate(STRANGER, certificate.id, uow=world.uow)
    with pytest.raises(CertificateNotFound):
        services.get_certificate(FINANCE, "nope", uow=world.uow)


def test_lists_show_ones_own_certificates(world: CertificatesWorld):
    certificate = world.certified()

    assert services.list_certificates(VIEWER, offset=0, limit=10, uow=world.uow) == (
        [certificate],
        1,
    )
    assert services.list_certificates(STRANGER, offset=0, limit=10, uow=world.uow) == ([], 0)
    assert services.list_certificates(ADMIN, offset=0, limit=10, uow=world.uow)[1] == 1


def test_a_pseudonymous_beneficiary_is_a_salted_hash_everywhere_public(
    world: CertificatesWorld,
):
    certificate = world.certified(kg=1_000, beneficiary_visibility="pseudonymous")
    stored = world.uow.credits.get_retirement(certificate.retirement_id)
    assert stored is not None
    assert stored.beneficiary_salt is not None
    salt = stored.beneficiary_salt
    expected = "sha256:" + hashlib.sha256(f"{salt}:Acme Ltd".encode()).hexdigest()

    assert len(bytes.fromhex(salt)) == 16
    assert certificate.document["beneficiary"] == expected == pseudonym("Acme Ltd", salt)
    assert certificate.document["beneficiary_visibility"] == "pseudonymous"
    retired_on_chain = [e for e in world.uow.indexer.events.values() if e.name == "CreditsRetired"][
        -1
    ]
    assert retired_on_chain.args["beneficiary"] == expected  # the name never went on chain

    own = services.get_certificate(FINANCE, certificate.id, uow=world.uow)
    assert own["disclosure"] == {"beneficiary": "Acme Ltd", "salt": salt}
    assert "disclosure" not in services.get_certificate(ADMIN, certificate.id, uow=world.uow)
    public = verify_certificate(certificate.id, uow=world.uow, verifier=world.verifier)
    assert "Acme Ltd" not in str(public.to_json())
    assert public.valid


def test_the_pdf_is_drawn_from_the_document_in_the_layout_of_its_issue(
    world: CertificatesWorld,
):
    world.uow.certificates.save_template(
        CertificateTemplate(title="Retired", accent_color="#abcdef", footer_text="Thanks")
    )
    world.uow.commit()
    certificate = world.certified()
    world.uow.certificates.save_template(CertificateTemplate(title="Changed since"))
    world.uow.commit()
    renderer = FakeCertificateRenderer()

    pdf = services.certificate_pdf(FINANCE, certificate.id, uow=world.uow, renderer=renderer)

    assert pdf.startswith(b"%PDF")
    assert renderer.drawn == [
        (
            certificate.document,
            CertificateLayout(
                title="Retired", accent_color="#abcdef", footer_text="Thanks", logo_png=None
            ),
        )
    ]
    with pytest.raises(CertificateNotFound):
        services.certificate_pdf(STRANGER, certificate.id, uow=world.uow, renderer=renderer)


def test_only_platform_admins_set_the_template(world: CertificatesWorld):
    values = {
        "title": "Retired",
        "primary_color": "#112233",
        "accent_color": "#AABBCC",
        "footer_text": "",
        "logo_document_id": None,
    }
    with pytest.raises(PermissionDenied):
        services.set_template(ISSUER, **values, uow=world.uow, clock=world.clock)  # type: ignore[arg-type]

    saved = services.set_template(ADMIN, **values, uow=world.uow, clock=world.clock)  # type: ignore[arg-type]

    assert saved.accent_color == "#aabbcc"
    assert services.get_template(uow=world.uow) == saved
    assert world.audited()[-1] == "certificates.template_changed"


def test_a_template_needs_colours_and_a_known_logo(world: CertificatesWorld):
    base = {"title": "T", "footer_text": "", "logo_document_id": None}
    with pytest.raises(InvalidValue):
        services.set_template(
            ADMIN,
            primary_color="green",
            accent_color="#000000",
            **base,  # type: ignore[arg-type]
            uow=world.uow,
            clock=world.clock,
        )
    with pytest.raises(UnknownLogo):
        services.set_template(
            ADMIN,
            primary_color="#000000",
            accent_color="#000000",
            title="T",
            footer_text="",
            logo_document_id="missing",
            uow=world.uow,
            clock=world.clock,
        )


def test_the_organizations_admins_set_its_custom_fields(world: CertificatesWorld):
    fields = [CustomField("Cost centre", "CC-42"), CustomField("Scope", "1")]

    saved = services.set_organization_fields(ISSUER, ORG, fields, uow=world.uow, clock=world.clock)

    assert services.get_organization_fields(ISSUER, ORG, uow=world.uow).fields == fields
    assert saved.updated_by == ISSUER.id
    with pytest.raises(PermissionDenied):
        services.set_organization_fields(FINANCE, ORG, fields, uow=world.uow, clock=world.clock)
    with pytest.raises(NotFound):
        services.get_organization_fields(OUTSIDER_ADMIN, ORG, uow=world.uow)
    with pytest.raises(TooManyFields):
        services.set_organization_fields(
            ISSUER,
            ORG,
            [CustomField(f"f{i}", "v") for i in range(11)],
            uow=world.uow,
            clock=world.clock,
        )
    with pytest.raises(InvalidValue):
        CustomField(" ", "v")
