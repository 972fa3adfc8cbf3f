"""Use cases of certificates: reading one's own (the holder's copy discloses a
pseudonymous beneficiary), drawing its PDF with the layout fixed at issue, and the
template and custom fields that new certificates take."""

from __future__ import annotations

from dataclasses import replace

from app.domain.auth.principal import Principal
from app.domain.certificates.errors import CertificateNotFound, UnknownLogo
from app.domain.certificates.model import (
    Certificate,
    CertificateTemplate,
    CustomField,
    OrganizationFields,
    check_color,
)
from app.domain.credits.access import own_holders, owner_ids_to_list, owns
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import NotFound, PermissionDenied
from app.domain.shared.json import JSON
from app.ports.certificates import CertificateLayout, CertificateRenderer
from app.ports.clock import Clock
from app.ports.repositories.certificates import CertificatesUoW


def _readable(principal: Principal, certificate_id: str, uow: CertificatesUoW) -> Certificate:
    certificate = uow.certificates.get(certificate_id)
    if certificate is None or not owns(principal, certificate.owner_kind, certificate.owner_id):
        raise CertificateNotFound("certificate not found")
    return certificate


def get_certificate(
    principal: Principal, certificate_id: str, *, uow: CertificatesUoW
) -> dict[str, JSON]:
    """The signed document; the holder's own copy (the owner, or its organization's
    members and keys) adds, outside the signature, the name and salt of a pseudonymous
    beneficiary. Platform admins read the public document."""
    with uow:
        certificate = _readable(principal, certificate_id, uow)
        document = dict(certificate.document)
        holder = (certificate.owner_kind, certificate.owner_id) in own_holders(principal)
        if holder and document.get("beneficiary_visibility") == "pseudonymous":
            retirement = uow.credits.get_retirement(certificate.retirement_id)
            if retirement is not None and retirement.beneficiary_salt:
                document["disclosure"] = {
                    "beneficiary": retirement.beneficiary,
                    "salt": retirement.beneficiary_salt,
                }
        return document


def list_certificates(
    principal: Principal, *, offset: int, limit: int, uow: CertificatesUoW
) -> tuple[list[Certificate], int]:
    """The caller's certificates and its organizations' (everyone's for admins)."""
    with uow:
        return uow.certificates.list_for(owner_ids_to_list(principal), offset, limit)


def layout_of(certificate: Certificate) -> CertificateLayout:
    """The layout fixed at issue, as the renderer takes it."""
    layout = certificate.layout
    fields = layout.get("custom_fields")
    return CertificateLayout(
        title=str(layout["title"]),
        primary_color=str(layout["primary_color"]),
        accent_color=str(layout["accent_color"]),
        footer_text=str(layout.get("footer_text") or ""),
        logo_png=certificate.logo,
        custom_fields=tuple(
            (str(f["label"]), str(f["value"]))
            for f in (fields if isinstance(fields, list) else [])
            if isinstance(f, dict)
        ),
    )


def certificate_pdf(
    principal: Principal,
    certificate_id: str,
    *,
    uow: CertificatesUoW,
    renderer: CertificateRenderer,
) -> bytes:
    """The PDF of the public document in the layout of its issue."""
    with uow:
        certificate = _readable(principal, certificate_id, uow)
    return renderer.render_pdf(certificate.document, layout_of(certificate))


def get_template(*, uow: CertificatesUoW) -> CertificateTemplate:
    with uow:
        return uow.certificates.template() or CertificateTemplate()


def set_template(
    principal: Principal,
    *,
    title: str,
    primary_color: str,
    accent_color: str,
    footer_text: str,
    logo_document_id: str | None,
    uow: CertificatesUoW,
    clock: Clock,
) -> CertificateTemplate:
    """Platform admins set the look of certificates issued from now on."""
    if not principal.is_admin:
        raise PermissionDenied("only platform admins set the certificate template")
    with uow:
        if logo_document_id is not None and uow.documents.get(logo_document_id) is None:
            raise UnknownLogo("the logo is not a known document", code="unknown_logo")
        before = uow.certificates.template() or CertificateTemplate()
        template = CertificateTemplate(
            title=title,
            primary_color=check_color("primary_color", primary_color),
            accent_color=check_color("accent_color", accent_color),
            footer_text=footer_text,
            logo_document_id=logo_document_id,
            updated_by=principal.id,
            updated_at=clock.now(),
        )
        uow.certificates.save_template(template)
        uow.audit(
            AuditRecord(
                "certificates.template_changed",
                "certificate_template",
                "platform",
                principal.id,
                before=_template_json(before),
                after=_template_json(template),
            )
        )
        uow.commit()
        return template


def _template_json(template: CertificateTemplate) -> dict[str, JSON]:
    return {
        "title": template.title,
        "primary_color": template.primary_color,
        "accent_color": template.accent_color,
        "footer_text": template.footer_text,
        "logo_document_id": template.logo_document_id,
    }


def _org_admin(principal: Principal, organization_id: str) -> None:
    if not principal.acts_for(organization_id) and not principal.is_admin:
        raise NotFound("organization not found")
    if principal.role_in(organization_id) != "admin":
        raise PermissionDenied("only the organization's admins set its certificate fields")


def get_organization_fields(
    principal: Principal, organization_id: str, *, uow: CertificatesUoW
) -> OrganizationFields:
    _org_admin(principal, organization_id)
    with uow:
        return uow.certificates.organization_fields(organization_id) or OrganizationFields(
            organization_id
        )


def set_organization_fields(
    principal: Principal,
    organization_id: str,
    fields: list[CustomField],
    *,
    uow: CertificatesUoW,
    clock: Clock,
) -> OrganizationFields:
    """The organization's admins set the custom fields of its new certificates."""
    _org_admin(principal, organization_id)
    with uow:
        before = uow.certificates.organization_fields(organization_id)
        saved = replace(
            OrganizationFields(organization_id, fields),
            updated_by=principal.id,
            updated_at=clock.now(),
        )
        uow.certificates.save_organization_fields(saved)
        uow.audit(
            AuditRecord(
                "certificates.fields_changed",
                "organization",
                organization_id,
                principal.id,
                before={"fields": [f.to_json() for f in before.fields] if before else []},
                after={"fields": [f.to_json() for f in fields]},
                organization_id=organization_id,
            )
        )
        uow.commit()
        return saved
