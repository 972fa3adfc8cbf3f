"""A retirement certificate as a PDF, from its signed document and the layout fixed at
issue (`app.ports.certificates`), drawn on reportlab's canvas (no platypus: a certificate
is two pages of known parts). Page 1 is the certificate: what was retired, for whom, where
it is on chain, and a QR code of its verification page drawn as vectors; page 2 its
provenance, step by step, and how to verify it. A value too long for its column wraps,
a page that is full goes on to the next one. The output is the same for the same input
(reportlab's invariant mode: no creation date, a fixed document id)."""

from __future__ import annotations

import io
from collections.abc import Mapping

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.adapters.pdf.drawing import draw_qr, wrap
from app.adapters.pdf.sheet import (
    BOLD,
    CONTENT_WIDTH,
    INK,
    MARGIN,
    MONO,
    MUTED,
    PAGE_WIDTH,
    SANS,
    Branding,
    Sheet,
)
from app.domain.certificates.wording import (
    instant,
    kilograms,
    part,
    pseudonymous,
    quantity,
    serial_range,
    steps,
    text,
)
from app.domain.shared.json import JSON
from app.ports.certificates import CertificateLayout

QR_SIDE = 40 * mm
STEP_WIDTH, AT_WIDTH, DETAIL_LABEL_WIDTH = 29 * mm, 22 * mm, 21 * mm


def custom_fields(document: Mapping[str, JSON], layout: CertificateLayout) -> list[tuple[str, str]]:
    """The layout's custom fields, then any of the document's not among them."""
    shown = list(layout.custom_fields)
    signed = document.get("custom_fields")
    for entry in signed if isinstance(signed, list) else []:
        if isinstance(entry, Mapping):
            pair = (text(entry.get("label")), text(entry.get("value")))
            if pair not in shown:
                shown.append(pair)
    return shown


class ReportlabCertificateRenderer:
    """`CertificateRenderer` with reportlab: an A4 PDF of two pages (more only when the
    custom fields or the provenance do not fit)."""

    def render_pdf(self, document: Mapping[str, JSON], layout: CertificateLayout) -> bytes:
        out = io.BytesIO()
        pdf = Canvas(out, invariant=True)
        pdf.setTitle(f"{layout.title} {text(document.get('id'))}")
        pdf.setSubject(text(document.get("serial_number")))
        branding = Branding(layout, f"Certificate {text(document.get('id'))}")
        sheet = Sheet(pdf, branding)
        _summary(sheet, document)
        _details(sheet, document, layout)
        sheet.new_page()
        _provenance(sheet, document)
        _how_to_verify(sheet, document)
        sheet.finish()
        pdf.save()
        return out.getvalue()


def _summary(sheet: Sheet, document: Mapping[str, JSON]) -> None:
    """What was retired and for whom, in large type, beside the QR code."""
    pdf, top = sheet.pdf, sheet.y
    qr_x = PAGE_WIDTH - MARGIN - QR_SIDE
    pdf.setFillColor(INK)
    draw_qr(pdf, text(document.get("verify_url")), qr_x, top - QR_SIDE, QR_SIDE)
    url_lines = wrap(text(document.get("verify_url")), SANS, 6, QR_SIDE)
    centre = qr_x + QR_SIDE / 2
    sheet.y = top - QR_SIDE
    sheet.lines(centre, ["Scan or open to verify:"], BOLD, 6.5, MUTED, centred=True)
    sheet.y -= 8.5
    sheet.lines(centre, url_lines, SANS, 6, MUTED, centred=True)
    qr_bottom = sheet.y - len(url_lines) * 8.5
    width = qr_x - MARGIN - 8 * mm
    project = part(document, "project")
    sheet.y = top
    sheet.lines(MARGIN, ["RETIRED"], BOLD, 8, MUTED)
    sheet.y -= 12
    quantity = f"{text(document.get('quantity'))} tonnes CO2e"
    sheet.lines(MARGIN, [quantity], BOLD, 24, sheet.branding.primary)
    sheet.y -= 32
    said = [
        f"{kilograms(document.get('quantity_kg'))} of carbon credits, "
        f"vintage {text(document.get('vintage'))}, from {text(project.get('name'))}",
        (
            "on behalf of a beneficiary named by pseudonym"
            if pseudonymous(document)
            else f"on behalf of {text(document.get('beneficiary'))}"
        ),
        f"retired {instant(document.get('retired_at'))}",
    ]
    for sentence in said:
        lines = wrap(sentence, SANS, 11, width)
        sheet.lines(MARGIN, lines, SANS, 11, sheet.branding.primary)
        sheet.y -= len(lines) * 14 + 2
    sheet.y = min(sheet.y, qr_bottom) - 6


def _details(sheet: Sheet, document: Mapping[str, JSON], layout: CertificateLayout) -> None:
    project, poai = part(document, "project"), part(document, "poai")
    sheet.heading("Project")
    sheet.row("Name", text(project.get("name")))
    sheet.row("Project id", text(project.get("id")), mono=True)
    sheet.row("Type", text(project.get("type")))
    sheet.row("Country", text(project.get("country")))
    sheet.row("Methodology", text(project.get("methodology")))
    sheet.row("Standard", text(project.get("standard")))
    sheet.heading("Credits retired")
    sheet.row("Vintage", text(document.get("vintage")))
    sheet.row("Quantity", quantity(document))
    sheet.row("Serial number", text(document.get("serial_number")), mono=True)
    sheet.row("Serial range", serial_range(document))
    if pseudonymous(document):
        sheet.row("Beneficiary (pseudonym)", text(document.get("beneficiary")), mono=True)
        sheet.note(
            "The name is not published: the pseudonym is the SHA-256 of a secret salt, a "
            "colon and the name, which the holder of the credits can disclose."
        )
    else:
        sheet.row("Beneficiary", text(document.get("beneficiary")))
    sheet.row("Purpose", text(document.get("purpose")))
    sheet.row("Retired at", instant(document.get("retired_at")))
    sheet.row("Retired from", text(document.get("holder")), mono=True)
    sheet.heading("On-chain record")
    sheet.row("Transaction hash", text(document.get("tx_hash")), mono=True)
    sheet.row("Block", text(document.get("block_number")))
    sheet.row("Log index", text(document.get("log_index")))
    sheet.row("Chain id", text(document.get("chain_id")))
    sheet.row("Contract", text(document.get("contract")), mono=True)
    sheet.row("PoAI bundle hash", text(document.get("poai_bundle_hash")), mono=True)
    sheet.row("PoAI case", text(poai.get("case_id")), mono=True)
    sheet.heading("Certificate")
    sheet.row("Certificate id", text(document.get("id")), mono=True)
    sheet.row("Retirement id", text(document.get("retirement_id")), mono=True)
    sheet.row("Issued at", instant(document.get("issued_at")))
    algorithm = text(document.get("algorithm"))
    sheet.row("Signed with key", f"{text(document.get('key_id'))} ({algorithm})")
    extra = custom_fields(document, layout)
    if extra:
        sheet.heading("Additional information")
        for label, value in extra:
            sheet.row(label, value)


def _provenance(sheet: Sheet, document: Mapping[str, JSON]) -> None:
    sheet.heading("Provenance")
    sheet.paragraph(
        "Every step these credits went through, oldest first: the PoAI approval of the "
        "project, the issuance on chain, each transfer, and the retirement."
    )
    _table_head(sheet)
    width = CONTENT_WIDTH - STEP_WIDTH - AT_WIDTH - DETAIL_LABEL_WIDTH - 2 * mm
    for number, (title, at, details) in enumerate(steps(document), start=1):
        wrapped = [(label, wrap(value, MONO, 7, width)) for label, value in details]
        used = sum(len(lines) for _, lines in wrapped) * 10
        height = max(20, used) + 6
        if sheet.y - height < 22 * mm:
            sheet.new_page()
            _table_head(sheet)
        if number % 2:
            sheet.shade(height, 0.85)
        sheet.y -= 3
        sheet.lines(MARGIN, [f"{number}. {title}"], BOLD, 8.5, INK)
        sheet.lines(MARGIN + STEP_WIDTH, at.split(" ", 1), SANS, 8, INK)
        left = MARGIN + STEP_WIDTH + AT_WIDTH
        for label, lines in wrapped:
            sheet.lines(left, [label], SANS, 7.5, MUTED)
            sheet.lines(left + DETAIL_LABEL_WIDTH, lines, MONO, 7, INK, baseline=7.5)
            sheet.y -= len(lines) * 10
        sheet.y -= height - 3 - used


def _table_head(sheet: Sheet) -> None:
    sheet.need(40)
    sheet.shade(14, 0.55)
    sheet.y -= 3
    for x, title in (
        (MARGIN, "Step"),
        (MARGIN + STEP_WIDTH, "At"),
        (MARGIN + STEP_WIDTH + AT_WIDTH, "Details"),
    ):
        sheet.lines(x, [title], BOLD, 8, INK)
    sheet.y -= 11


def _how_to_verify(sheet: Sheet, document: Mapping[str, JSON]) -> None:
    url = text(document.get("verify_url"))
    form = url.rsplit("/", 1)[0] if "/verify/" in url else url
    sheet.y -= 8
    sheet.heading("How to verify")
    sheet.paragraph(
        f"Open {url} (or scan the QR code on page 1): the platform checks the signature "
        "of this certificate, its retirement on chain at the transaction, block and log "
        "index above, the PoAI bundle it rests on, and that its serial range was retired "
        "by this retirement alone."
    )
    sheet.paragraph(
        f"With the certificate's JSON file: paste it at {form}, or run "
        "the command \u201cflask certificates verify FILE.json\u201d, which makes the same checks."
    )
    sheet.paragraph(
        f"The signature is {text(document.get('algorithm'))} over the canonical JSON "
        f"(RFC 8785) of the document, by the platform's key {text(document.get('key_id'))}"
        f"; its public key (base64): {text(document.get('public_key'))}."
    )
