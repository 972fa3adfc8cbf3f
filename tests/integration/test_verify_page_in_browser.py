"""The certificate verification page in headless Chromium, as the stranger who scanned a
certificate's QR code sees it: the certificate's tonnes and serial number, each proof
valid, a tampered certificate invalid, and a certificate's JSON pasted into the form.

The platform's verify methods answer verifications built by hand here
(`tests.integration.verify_support`)."""

from __future__ import annotations

import json

from tests.certificate_samples import CERTIFICATE_ID, sample_document
from tests.integration.browser import browser, served  # noqa: F401 (the fixture)
from tests.integration.verify_support import TAMPERED_ID, with_hand_built_verifications


def test_the_page_of_a_valid_certificate(app, browser, monkeypatch):  # noqa: F811
    with_hand_built_verifications(app, monkeypatch)
    with served(app) as base:
        page = browser.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        response = page.goto(f"{base}/verify/{CERTIFICATE_ID}")
        assert response is not None
        assert response.status == 200
        assert page.inner_text("#verdict").startswith("✔ Valid certificate")
        facts = page.inner_text("#certificate")
        assert "2.5 t CO2e (2,500 kg)" in facts
        assert sample_document()["serial_number"] in facts
        marks = page.locator(".proof .mark").all_inner_texts()
        assert marks == ["✔ Valid"] * 4
        colour = page.locator(".proof .mark").first.evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(15, 123, 63)"  # green
        assert "4. Retirement" in page.inner_text("#provenance")
        assert failed == []


def test_a_tampered_certificate_shows_invalid(app, browser, monkeypatch):  # noqa: F811
    with_hand_built_verifications(app, monkeypatch)
    with served(app) as base:
        page = browser.new_page()
        page.goto(f"{base}/verify/{TAMPERED_ID}")
        assert page.inner_text("#verdict").startswith("✘ Invalid certificate")
        assert "25 t CO2e (25,000 kg)" in page.inner_text("#certificate")
        signature = page.locator(".proof").first
        assert signature.locator("strong").inner_text() == "Signature"
        assert signature.locator(".mark").inner_text() == "✘ Invalid"
        colour = signature.locator(".mark").evaluate("e => getComputedStyle(e).color")
        assert colour == "rgb(180, 35, 24)"  # red


def test_a_pasted_certificate_is_verified(app, browser, monkeypatch):  # noqa: F811
    with_hand_built_verifications(app, monkeypatch)
    with served(app) as base:
        page = browser.new_page()
        page.goto(f"{base}/verify")
        page.fill("textarea[name=document]", json.dumps(sample_document()))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()
        assert page.inner_text("#verdict").startswith("✔ Valid certificate")
        page.fill("textarea[name=document]", json.dumps(sample_document(quantity="9")))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()
        assert page.inner_text("#verdict").startswith("✘ Invalid certificate")
