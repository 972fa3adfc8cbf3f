"""Certificates: the holder's signed JSON and PDF, the public verification, the
platform's template and organizations' custom fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response

from app.domain.certificates import proofs, services
from app.domain.certificates.model import CertificateTemplate, CustomField, OrganizationFields
from app.domain.shared.json import JSON
from app.http.certificates import schemas as s
from app.http.common.auth import current_principal, public, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, uow
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.ports.certificates import CertificateLayout

blp = ApiBlueprint(
    "certificates", __name__, description="Retirement certificates, their proofs and look"
)


@blp.route("/certificates", methods=["GET"])
@requires("credits:read")
@blp.response(200, s.CertificateSchema(many=True))
@paginated(blp)
def list_certificates(page: Page) -> tuple[Sequence[dict[str, JSON]], int]:
    """Your certificates and your organizations', newest first (the signed documents)."""
    found, total = services.list_certificates(
        current_principal(), offset=page.offset, limit=page.limit, uow=uow()
    )
    return [c.document for c in found], total


@blp.route("/certificates/template", methods=["GET"])
@requires("certificates:template")
@blp.response(200, s.TemplateSchema)
def get_template() -> CertificateTemplate:
    """The look of new certificates: title, colours, footer, logo (a document id)."""
    return services.get_template(uow=uow())


@blp.route("/certificates/template", methods=["PUT"])
@requires("certificates:template")
@rule_codes("unknown_logo")
@blp.arguments(s.TemplateSchema)
@blp.response(200, s.TemplateSchema)
def put_template(body: dict[str, Any]) -> CertificateTemplate:
    """Set the look of certificates issued from now on (issued ones keep theirs)."""
    return services.set_template(current_principal(), **body, uow=uow(), clock=platform().clock)


@blp.route("/certificates/<certificate_id>", methods=["GET"])
@requires("credits:read")
@blp.response(200, s.CertificateSchema)
def get_certificate(certificate_id: str) -> dict[str, JSON]:
    """A certificate of yours (or any, for platform admins): the signed document; your
    own copy of a pseudonymous one adds `disclosure` (the name and salt), unsigned."""
    return services.get_certificate(current_principal(), certificate_id, uow=uow())


class _PlatformRenderer:
    """The platform's renderer, reached only once a certificate is found to draw."""

    def render_pdf(self, document: Mapping[str, JSON], layout: CertificateLayout) -> bytes:
        return platform().certificate_renderer.render_pdf(document, layout)


@blp.route("/certificates/<certificate_id>/pdf", methods=["GET"])
@requires("credits:read")
@blp.alt_response(200, description="The certificate (PDF)", content_type="application/pdf")
def certificate_pdf(certificate_id: str) -> Response:
    """The certificate as a PDF, in the layout of its issue (a QR code to verify_url)."""
    pdf = services.certificate_pdf(
        current_principal(), certificate_id, uow=uow(), renderer=_PlatformRenderer()
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{certificate_id}.pdf"'},
    )


@blp.route("/public/certificates/<certificate_id>", methods=["GET"])
@public
@blp.response(200, s.VerificationSchema)
def verify_certificate(certificate_id: str) -> dict[str, JSON]:
    """Anyone checks a certificate: its signature, the CreditsRetired log on chain (read
    live), the signed PoAI bundle, and its kilograms used by this retirement alone;
    `valid` only when all four hold. No beneficiary name of a pseudonymous one."""
    verification = proofs.verify_certificate(
        certificate_id, uow=uow(), verifier=platform().certificate_verifier
    )
    return verification.to_json()


@blp.route("/organizations/<organization_id>/certificate-fields", methods=["GET"])
@requires("certificates:customize")
@blp.response(200, s.OrganizationFieldsSchema)
def get_fields(organization_id: str) -> OrganizationFields:
    """The custom fields the organization's new certificates carry (its admins)."""
    return services.get_organization_fields(current_principal(), organization_id, uow=uow())


@blp.route("/organizations/<organization_id>/certificate-fields", methods=["PUT"])
@requires("certificates:customize")
@blp.arguments(s.OrganizationFieldsSchema)
@blp.response(200, s.OrganizationFieldsSchema)
def put_fields(body: dict[str, Any], organization_id: str) -> OrganizationFields:
    """Set up to 10 custom fields {label, value} for the organization's new certificates."""
    fields = [CustomField(f["label"], f["value"]) for f in body["fields"]]
    return services.set_organization_fields(
        current_principal(), organization_id, fields, uow=uow(), clock=platform().clock
    )
