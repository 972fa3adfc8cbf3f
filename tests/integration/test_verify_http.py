"""`GET /verify/<id>`, `GET /verify` and `POST /verify` over HTTP: the page of an issued
certificate, a 404 page for an unknown one, and a pasted or uploaded document checked
and shown; what is not a certificate's JSON gets the form back with a 400."""

from __future__ import annotations

import io
import json

import pytest

from tests.certificate_samples import CERTIFICATE_ID, TX_HASH, sample_document
from tests.integration.verify_support import TAMPERED_ID, with_hand_built_verifications


@pytest.fixture
def pages(app, client, monkeypatch):
    with_hand_built_verifications(app, monkeypatch)
    return client


def test_an_issued_certificate_has_its_page(pages):
    response = pages.get(f"/verify/{CERTIFICATE_ID}")
    assert (response.status_code, response.mimetype) == (200, "text/html")
    body = response.get_data(as_text=True)
    assert "Valid certificate" in body
    assert sample_document()["serial_number"] in body
    assert TX_HASH in body


def test_a_tampered_certificate_is_shown_invalid(pages):
    body = pages.get(f"/verify/{TAMPERED_ID}").get_data(as_text=True)
    assert "Invalid certificate" in body
    assert "25 t CO2e (25,000 kg)" in body


def test_an_unknown_certificate_is_a_404_page(pages):
    response = pages.get("/verify/cert_nope")
    assert (response.status_code, response.mimetype) == (404, "text/html")
    body = response.get_data(as_text=True)
    assert "Certificate not found" in body
    assert "cert_nope" in body
    assert '<form method="post" action="/verify"' in body


def test_the_form_is_served(pages):
    response = pages.get("/verify")
    assert (response.status_code, response.mimetype) == (200, "text/html")
    assert 'name="document"' in response.get_data(as_text=True)


def test_a_pasted_document_is_checked_and_shown(pages):
    document = sample_document()
    response = pages.post("/verify", data={"document": json.dumps(document, indent=2)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Valid certificate" in body
    assert document["serial_number"] in body
    altered = pages.post("/verify", data={"document": json.dumps({**document, "quantity": "3"})})
    assert altered.status_code == 200
    assert "Invalid certificate" in altered.get_data(as_text=True)


@pytest.mark.parametrize("field", ["file", "document"])
def test_an_uploaded_file_is_checked_and_shown(pages, field):
    data = {field: (io.BytesIO(json.dumps(sample_document()).encode()), "certificate.json")}
    response = pages.post("/verify", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Valid certificate" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("", "Paste a certificate&#39;s JSON"),
        ("{not json", "This is not JSON"),
        ("[1, 2]", "A certificate is a JSON object"),
        ('{"version": "receipt/1"}', "This JSON is not a certificate"),
        ('{"version": "certificate/1", "quantity": 2.5}', "the number 2.5"),
        ('{"version": "certificate/1", "quantity": NaN}', "the number NaN"),
        ("[" * 100 + "]" * 100, "nested deeper than 32 levels"),
        ('"' + "x" * 300_000 + '"', "at most 262144 bytes"),
    ],
)
def test_what_is_not_a_certificate_gets_the_form_back_with_a_400(pages, pasted, said):
    response = pages.post("/verify", data={"document": pasted})
    assert (response.status_code, response.mimetype) == (400, "text/html")
    body = response.get_data(as_text=True)
    assert said in body
    assert 'name="document"' in body


def test_a_file_that_is_not_utf8_gets_a_400(pages):
    data = {"file": (io.BytesIO(b"\xff\xfe{\x00}"), "certificate.json")}
    response = pages.post("/verify", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)
