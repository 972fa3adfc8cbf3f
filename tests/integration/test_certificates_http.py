"""Certificates end to end on the embedded chain: retire, the indexer confirms, the job
issues the certificate, the holder reads it (JSON and PDF), anyone verifies it; a
tampered stored row fails verification; template and custom fields reach new
certificates; a job delivered twice issues once; the command line checks a file."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.adapters.sql.tables_certificates import certificates
from app.adapters.sql.tables_chain import retirements
from app.domain.certificates.errors import CertificateExists
from app.domain.certificates.jobs import issue_certificate
from tests.fakes.certificates import FakeCertificateRenderer
from tests.integration.identity import signed_in, wait_for
from tests.integration.market_support import minted_market
from tests.integration.test_credits_flow import _index_until, _minted
from tests.integration.test_poai_flow import _upload

ORG = "org-issuer"
LOGO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24  # the bytes only: the renderer draws them


def _retired(app, client, issuer, pid, **extra):
    body = {
        "project_id": pid,
        "vintage": 2024,
        "quantity": "2.5",
        "beneficiary": "Acme Ltd",
        "purpose": "2025 scope 1",
        "organization_id": ORG,
        **extra,
    }
    retired = issuer.post("/api/v1/retirements", json=body)
    assert retired.status_code == 202, retired.get_json()
    url = f"/api/v1/retirements/{retired.get_json()['id']}"
    _index_until(app, lambda: issuer.get(url).get_json()["status"] == "confirmed")
    return wait_for(lambda: issuer.get(url).get_json()["certificate_id"], timeout=30)


def tamper_stored(app, certificate_id: str) -> None:
    """The stored document of the certificate says 2,600 kg where it was signed for 2,500."""
    with app.extensions["platform"].db.engine.begin() as conn:
        stored = conn.execute(
            sa.select(certificates.c.document).where(certificates.c.id == certificate_id)
        ).scalar_one()
        tampered = stored.replace('"quantity_kg":2500', '"quantity_kg":2600')
        assert tampered != stored
        conn.execute(
            sa.update(certificates)
            .where(certificates.c.id == certificate_id)
            .values(document=tampered)
        )


def test_a_retirement_gets_a_certificate_anyone_can_verify(app, client):
    issuer, admin, pid, batch = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)

    got = issuer.get(f"/api/v1/certificates/{certificate_id}")
    assert got.status_code == 200, got.get_json()
    doc = got.get_json()
    assert (doc["id"], doc["quantity"], doc["quantity_kg"]) == (certificate_id, "2.5", 2500)
    assert (doc["kg_start"], doc["kg_end"], doc["serial_start"], doc["serial_end"]) == (
        1000,
        3499,
        1,
        3,
    )
    assert doc["serial_number"] == f"CPB-{pid}-{doc['project']['country']}-2024-" + (
        f"{batch['token_id']}-1000-3499"
    )
    assert doc["verify_url"] == f"http://127.0.0.1:5000/verify/{certificate_id}"
    assert doc["tx_hash"].startswith("0x")
    assert isinstance(doc["block_number"], int)
    assert isinstance(doc["log_index"], int)
    assert doc["key_id"] == app.extensions["platform"].signer.key_id
    assert [step["step"] for step in doc["provenance"]] == [
        "poai_approval",
        "issuance",
        "retirement",
    ]
    assert "disclosure" not in doc

    public = client.get(f"/api/v1/public/certificates/{certificate_id}")
    assert public.status_code == 200
    verdict = public.get_json()
    assert verdict["valid"] is True, verdict["checks"]
    assert set(verdict["checks"]) == {"signature", "chain", "poai", "serials"}
    assert verdict["certificate"] == doc

    listed = issuer.get("/api/v1/certificates")
    assert [c["id"] for c in listed.get_json()] == [certificate_id]
    assert admin.get(f"/api/v1/certificates/{certificate_id}").status_code == 200
    stranger = signed_in(app, client, "stranger@example.org")
    assert stranger.get(f"/api/v1/certificates/{certificate_id}").status_code == 404
    assert stranger.get("/api/v1/certificates").get_json() == []
    assert client.get("/api/v1/public/certificates/unknown").status_code == 404


def test_a_tampered_stored_certificate_fails_verification(app, client):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    tamper_stored(app, certificate_id)

    verdict = client.get(f"/api/v1/public/certificates/{certificate_id}").get_json()

    assert verdict["valid"] is False
    checks = {name: check["valid"] for name, check in verdict["checks"].items()}
    assert checks == {"signature": False, "chain": False, "poai": True, "serials": False}


def test_the_pdf_is_drawn_by_the_platforms_renderer(app, client):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    renderer = FakeCertificateRenderer()
    app.extensions["platform"].certificate_renderer = renderer

    pdf = issuer.get(f"/api/v1/certificates/{certificate_id}/pdf")

    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert renderer.drawn[0][0]["id"] == certificate_id
    stranger = signed_in(app, client, "stranger@example.org")
    assert stranger.get(f"/api/v1/certificates/{certificate_id}/pdf").status_code == 404


def test_a_pseudonymous_beneficiary_is_disclosed_to_its_holder_only(app, client):
    issuer, admin, pid, _ = _minted(app, client)
    certificate_id = _retired(
        app, client, issuer, pid, beneficiary="Secret Corp", beneficiary_visibility="pseudonymous"
    )

    own = issuer.get(f"/api/v1/certificates/{certificate_id}").get_json()
    public = client.get(f"/api/v1/public/certificates/{certificate_id}")

    assert own["beneficiary"].startswith("sha256:")
    assert own["disclosure"]["beneficiary"] == "Secret Corp"
    assert len(own["disclosure"]["salt"]) == 32
    assert "Secret Corp" not in public.get_data(as_text=True)
    assert public.get_json()["valid"] is True
    assert "disclosure" not in admin.get(f"/api/v1/certificates/{certificate_id}").get_json()


def test_template_and_custom_fields_apply_to_new_certificates(app, client):
    issuer, admin, pid, _ = _minted(app, client)
    logo_id = _upload(issuer, pid, kind="other", data=LOGO, name="logo.png")
    template = {
        "title": "Certificate of Retirement",
        "primary_color": "#123456",
        "accent_color": "#abcdef",
        "footer_text": "Thank you",
        "logo_document_id": logo_id,
    }
    assert issuer.put("/api/v1/certificates/template", json=template).status_code == 403
    bad = admin.put("/api/v1/certificates/template", json={**template, "accent_color": "red"})
    assert bad.status_code == 422
    put = admin.put("/api/v1/certificates/template", json=template)
    assert put.status_code == 200, put.get_json()
    assert admin.get("/api/v1/certificates/template").get_json()["title"] == template["title"]
    fields = {"fields": [{"label": "Cost centre", "value": "CC-42"}]}
    url = f"/api/v1/organizations/{ORG}/certificate-fields"
    assert issuer.put(url, json=fields).status_code == 200
    assert issuer.get(url).get_json()["fields"] == fields["fields"]
    too_many = {"fields": [{"label": f"f{i}", "value": "v"} for i in range(11)]}
    assert issuer.put(url, json=too_many).status_code == 422
    stranger = signed_in(app, client, "stranger@example.org")
    assert stranger.put(url, json=fields).status_code in (403, 404)

    certificate_id = _retired(app, client, issuer, pid)
    doc = issuer.get(f"/api/v1/certificates/{certificate_id}").get_json()
    renderer = FakeCertificateRenderer()
    app.extensions["platform"].certificate_renderer = renderer
    issuer.get(f"/api/v1/certificates/{certificate_id}/pdf")

    assert doc["custom_fields"] == fields["fields"]
    layout = renderer.drawn[0][1]
    assert (layout.title, layout.primary_color, layout.footer_text) == (
        "Certificate of Retirement",
        "#123456",
        "Thank you",
    )
    assert layout.custom_fields == (("Cost centre", "CC-42"),)
    assert layout.logo_png == LOGO  # read through the documents' storage at issue


def test_a_job_delivered_twice_issues_one_certificate(app, client):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    platform = app.extensions["platform"]
    with platform.db.engine.begin() as conn:
        job_id = conn.execute(
            sa.text("SELECT id FROM outbox WHERE name = 'certificates.issue'")
        ).scalar_one()
        conn.execute(sa.text("UPDATE outbox SET done_at = NULL WHERE id = :id"), {"id": job_id})

    platform.run_job(job_id)
    assert platform.issue_due_certificates() == 0

    with platform.db.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(certificates)).scalar_one()
    assert count == 1
    assert issuer.get(f"/api/v1/certificates/{certificate_id}").status_code == 200


def test_the_command_line_checks_a_certificate_file(app, client, tmp_path):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    document = issuer.get(f"/api/v1/certificates/{certificate_id}").get_json()
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(document))
    raw = bytearray(good.read_bytes())
    at = raw.index(b'"purpose": "') + len(b'"purpose": "')
    raw[at] ^= 0x01  # one flipped bit in one byte
    bad.write_bytes(bytes(raw))
    runner = app.test_cli_runner()

    valid = runner.invoke(args=["certificates", "verify", str(good)])
    invalid = runner.invoke(args=["certificates", "verify", str(bad)])

    assert valid.exit_code == 0, valid.output
    assert "signature: valid" in valid.output
    assert "serials: valid" in valid.output
    assert invalid.exit_code == 1, invalid.output
    assert "signature: INVALID" in invalid.output


def test_credits_bought_on_the_marketplace_show_their_delivery(app, client):
    market = minted_market(app, client, "50")
    listing = market.listing("10")
    buyer = market.buyer()
    quote = market.quote(buyer, listing["id"], "1")
    order = market.order(buyer, quote["id"], retire={"beneficiary": "Acme Ltd", "purpose": "x"})
    assert market.pay(buyer, order["id"]).status_code == 201

    def certified():
        now = buyer.get(f"/api/v1/orders/{order['id']}").get_json()
        if now["retirement_id"] is None:
            return None
        return buyer.get(f"/api/v1/retirements/{now['retirement_id']}").get_json()["certificate_id"]

    certificate_id = market.index_until(certified)
    doc = buyer.get(f"/api/v1/certificates/{certificate_id}").get_json()

    steps = [step["step"] for step in doc["provenance"]]
    assert steps == ["poai_approval", "issuance", "transfer", "retirement"]
    transfer = doc["provenance"][2]
    assert (transfer["order_id"], transfer["quantity_kg"]) == (order["id"], 1000)
    assert transfer["to"].lower() == doc["holder"].lower()
    assert client.get(f"/api/v1/public/certificates/{certificate_id}").get_json()["valid"]


def _forget(platform, certificate_id: str) -> str:
    """Drop an issued certificate, as if its job had not run yet; its retirement id."""
    with platform.db.engine.begin() as conn:
        retirement_id = conn.execute(
            sa.select(certificates.c.retirement_id).where(certificates.c.id == certificate_id)
        ).scalar_one()
        conn.execute(sa.delete(certificates))
        conn.execute(
            sa.update(retirements)
            .where(retirements.c.id == retirement_id)
            .values(certificate_id=None)
        )
    return str(retirement_id)


def test_the_sweep_issues_a_confirmed_retirement_left_without_one(app, client):
    issuer, _, pid, _ = _minted(app, client)
    platform = app.extensions["platform"]
    retirement_id = _forget(platform, _retired(app, client, issuer, pid))

    assert platform.issue_due_certificates() == 1
    assert platform.issue_due_certificates() == 0

    certificate_id = issuer.get(f"/api/v1/retirements/{retirement_id}").get_json()["certificate_id"]
    assert client.get(f"/api/v1/public/certificates/{certificate_id}").get_json()["valid"]


def test_concurrent_issuers_issue_one_certificate(app, client):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    platform = app.extensions["platform"]
    retirement_id = _forget(platform, certificate_id)

    def issue(_: int) -> str | None:
        try:
            made = issue_certificate(
                retirement_id, uow=platform.uow(), issuer=platform.certificate_issuer
            )
        except CertificateExists:
            return "refused"
        return made.id if made else None

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(issue, range(4)))

    with platform.db.engine.connect() as conn:
        rows = conn.execute(sa.select(certificates.c.id)).scalars().all()
    assert len(rows) == 1
    assert set(results) - {"refused"} == {rows[0]}
    assert (
        issuer.get(f"/api/v1/retirements/{retirement_id}").get_json()["certificate_id"] == rows[0]
    )
