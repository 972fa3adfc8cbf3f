"""A retirement certificate's PDF as a person reads it: its text (pypdf), page 1 rasterised
by poppler's `pdftoppm` and its QR code read back by `zbarimg` (the URL of the
verification page), page 2 the provenance; long values wrapped inside the page."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
import segno
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.adapters.pdf.certificate import ReportlabCertificateRenderer
from app.adapters.pdf.sheet import MARGIN, PAGE_WIDTH
from app.ports.certificates import CertificateLayout
from tests.certificate_samples import (
    BUNDLE_HASH,
    CERTIFICATE_ID,
    TX_HASH,
    pseudonym,
    sample_document,
)
from tests.conftest import unavailable

LAYOUT = CertificateLayout(
    title="Retirement Certificate of Nordwind Carbon",
    footer_text="Nordwind Carbon GmbH, Friedrichstrasse 1, 10117 Berlin",
    custom_fields=(("Employee programme", "Green Commute 2024"),),
)


def tool(name: str, package: str) -> str:
    """A command-line tool of the system, or skip (locally) / fail (CI) without it."""
    path = shutil.which(name)
    if not path:
        unavailable(f"{name} is not installed (apt-get install -y {package})")
    return path


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def line_ends(page: pypdf.PageObject) -> list[float]:
    """Where each run of text on `page` ends, in points from the left edge."""
    ends: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict, size: float) -> None:
        if text.strip() and font:
            name = str(font["/BaseFont"]).lstrip("/")
            ends.append(cm[4] + tm[4] + stringWidth(text.rstrip("\n"), name, size * tm[0]))

    page.extract_text(visitor_text=visit)
    return ends


def qr_of_first_page(pdf: bytes, tmp_path: Path) -> str:
    """Page 1 at 150 dpi as a PNG, and what zbarimg reads in it."""
    pdftoppm, zbarimg = tool("pdftoppm", "poppler-utils"), tool("zbarimg", "zbar-tools")
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603 (the system's pdftoppm, fixed arguments)
        [pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile",
         str(tmp_path / "certificate.pdf"), str(tmp_path / "page1")],
        check=True, timeout=60,
    )  # fmt: skip
    decoded = subprocess.run(  # noqa: S603 (the system's zbarimg, fixed arguments)
        [zbarimg, "--raw", "-q", str(tmp_path / "page1.png")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert decoded.returncode == 0, decoded.stderr
    return decoded.stdout.strip()


def test_page_one_shows_the_retirement_and_page_two_its_provenance():
    document = sample_document(beneficiary="Acme Renewables Ltd")
    first, second = page_texts(ReportlabCertificateRenderer().render_pdf(document, LAYOUT))
    flat = first.replace("\n", "")
    assert "Retirement Certificate of Nordwind Carbon" in first
    assert "2.5 tonnes CO2e" in first
    assert "2,500 kg" in first
    assert document["serial_number"] in flat
    assert "serials 1 to 3; on chain, kilograms 1,001 to 3,500" in first
    assert TX_HASH in flat
    assert BUNDLE_HASH in flat
    assert CERTIFICATE_ID in flat
    assert "on behalf of Acme Renewables Ltd" in first
    assert "Offsetting the 2024 business travel" in first
    assert "Block 18204771 Log index 3" in " ".join(first.split())
    assert "Kasigau Corridor Community Forest Protection" in first
    assert "VM0009" in first
    assert "Verified Carbon Standard" in first
    assert "2024-09-30 16:45:03 UTC" in first
    assert "Green Commute 2024" in first  # the layout's custom field
    assert "CC-4410 Travel" in first  # the document's own
    assert "Nordwind Carbon GmbH" in first
    assert "page 1" in first
    flat_second = second.replace("\n", "")
    assert "Provenance" in second
    for step in ("1. PoAI approval", "2. Issuance", "3. Transfer", "4. Retirement"):
        assert step in second
    assert "bat_3Vd8Kp1Zs6" in flat_second
    assert "ord_9Tb4Wc0" in flat_second
    assert TX_HASH in flat_second
    assert "How to verify" in second
    assert document["verify_url"] in flat_second
    assert "flask certificates verify FILE.json" in " ".join(second.split())
    assert "certificates-2024" in second


def test_a_pseudonymous_beneficiary_is_shown_by_its_pseudonym_only():
    document = sample_document(visibility="pseudonymous", beneficiary="Jane Doe")
    pdf = ReportlabCertificateRenderer().render_pdf(document, CertificateLayout())
    text = "".join(page_texts(pdf))
    assert "Beneficiary (pseudonym)" in text
    assert pseudonym("Jane Doe") in text.replace("\n", "")
    assert "Jane Doe" not in text
    assert "on behalf of a beneficiary named by pseudonym" in text


def test_the_qr_code_on_page_one_reads_as_the_verification_url(tmp_path):
    document = sample_document()
    pdf = ReportlabCertificateRenderer().render_pdf(document, LAYOUT)
    assert qr_of_first_page(pdf, tmp_path) == document["verify_url"]


def test_a_logo_long_values_and_many_transfers_stay_on_the_page(tmp_path):
    logo = io.BytesIO()
    segno.make("logo").save(logo, kind="png", scale=6, dark="#0b5d3b")
    long_url = "https://certificates.registry.example.org/" + "a" * 40 + "/verify/" + "c" * 60
    document = sample_document(
        transfers=40,
        purpose="Retired for " + "the carbon budget of the year " * 12,
        serial_number="CPB-" + "-".join(["prj0123456789abcdef"] * 8),
        verify_url=long_url,
    )
    layout = CertificateLayout(title="A Certificate " * 8, logo_png=logo.getvalue())
    pdf = ReportlabCertificateRenderer().render_pdf(document, layout)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3  # 40 transfers do not fit page 2
    seen = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "ord_9Tb4Wc39" in seen
    assert "4. Transfer" in "".join(page_texts(pdf))
    assert document["serial_number"] in seen
    for page in reader.pages:
        ends = line_ends(page)
        assert ends
        assert max(ends) < PAGE_WIDTH - MARGIN + 1  # no line runs off the page
    assert qr_of_first_page(pdf, tmp_path) == long_url


def test_the_same_document_gives_the_same_pdf():
    renderer = ReportlabCertificateRenderer()
    assert renderer.render_pdf(sample_document(), LAYOUT) == renderer.render_pdf(
        sample_document(), LAYOUT
    )


def test_a_logo_that_is_no_image_is_refused():
    with pytest.raises(ValueError, match="logo"):
        ReportlabCertificateRenderer().render_pdf(
            sample_document(), CertificateLayout(logo_png=b"not an image")
        )
