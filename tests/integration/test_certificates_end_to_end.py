"""A certificate as its holder and a stranger meet it, over the real platform: a
retirement on the embedded chain issues it; its PDF, drawn by the platform's renderer,
shows the tonnes and serial number and its QR code reads as `verify_url`; the
verification page in headless Chromium shows it valid, and invalid once the stored
document is altered; a pasted document missing its fields is refused, not a 500."""

from __future__ import annotations

import io
import json

import pypdf

from tests.integration.browser import browser, served  # noqa: F401 (the fixture)
from tests.integration.test_certificate_pdf import qr_of_first_page
from tests.integration.test_certificates_http import _retired, tamper_stored
from tests.integration.test_credits_flow import _minted


def test_an_issued_certificate_from_pdf_to_verification_page(
    app,
    client,
    browser,  # noqa: F811 (the fixture)
    tmp_path,
):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    document = issuer.get(f"/api/v1/certificates/{certificate_id}").get_json()

    pdf = issuer.get(f"/api/v1/certificates/{certificate_id}/pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    first = reader.pages[0].extract_text()
    assert "2.5 t" in first
    assert document["serial_number"] in first.replace("\n", "")
    assert certificate_id in first
    assert "Provenance" in reader.pages[1].extract_text()
    assert qr_of_first_page(pdf.data, tmp_path) == document["verify_url"]

    with served(app) as base:
        page = browser.new_page()
        response = page.goto(f"{base}/verify/{certificate_id}")
        assert response is not None
        assert response.status == 200
        assert page.inner_text("#verdict").startswith("✔ Valid certificate")
        facts = page.inner_text("#certificate")
        assert "2.5 t CO2e (2,500 kg)" in facts
        assert document["serial_number"] in facts
        assert page.locator(".proof .mark").all_inner_texts() == ["✔ Valid"] * 4

        page.goto(f"{base}/verify")
        page.fill("textarea[name=document]", json.dumps(document))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()
        assert page.inner_text("#verdict").startswith("✔ Valid certificate")

        tamper_stored(app, certificate_id)
        page.goto(f"{base}/verify/{certificate_id}")
        assert page.inner_text("#verdict").startswith("✘ Invalid certificate")
        marks = dict(
            zip(
                page.locator(".proof strong").all_inner_texts(),
                page.locator(".proof .mark").all_inner_texts(),
                strict=True,
            )
        )
        assert marks["Signature"] == "✘ Invalid"


def test_a_pasted_document_without_its_fields_is_refused_not_an_error(app, client):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    document = issuer.get(f"/api/v1/certificates/{certificate_id}").get_json()

    for missing in ("token_id", "kg_start", "poai", "provenance", "project", "signature"):
        pasted = {key: value for key, value in document.items() if key != missing}
        answer = client.post("/verify", data={"document": json.dumps(pasted)})
        assert answer.status_code in (200, 400, 422), (missing, answer.status_code)
        assert "✔ Valid certificate".encode() not in answer.data, missing
