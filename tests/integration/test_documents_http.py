"""Documents through HTTP on the local encrypted store: upload, versions, signed links,
access log, key rotation, and the submission rule that needs a project design."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.adapters.crypto.envelope import generate_master_key
from tests.integration.identity import signed_in
from tests.integration.test_projects_http import BODY, _issuer

PDF = b"%PDF-1.7\n" + b"Monitoring report: 12,345 tCO2e avoided in 2024.\n" * 40 + b"%%EOF\n"


def _upload(caller, project_id, data=PDF, *, kind="project_design", filename="design.pdf", **form):
    return caller.client.post(
        f"/api/v1/projects/{project_id}/documents",
        headers=caller.headers,
        data={"kind": kind, "file": (io.BytesIO(data), filename), **form},
        content_type="multipart/form-data",
    )


@pytest.fixture
def project(app, client):
    issuer = _issuer(app, client)
    created = issuer.post("/api/v1/projects", json=BODY).get_json()
    return issuer, created["id"]


def _fetch(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_upload_stores_only_ciphertext_and_serves_the_plaintext(app, client, project, tmp_path):
    issuer, pid = project
    response = _upload(issuer, pid, filename="../../etc/design.pdf")
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert doc["content_type"] == "application/pdf"
    assert doc["filename"] == "design.pdf"
    assert doc["size"] == len(PDF)
    assert doc["version"] == 1
    import hashlib

    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    stored = [p for p in (tmp_path / "storage").rglob("*") if p.is_file()]
    assert len(stored) == 1
    blob = stored[0].read_bytes()
    assert b"Monitoring report" not in blob
    assert PDF[:64] not in blob

    link = issuer.post(f"/api/v1/documents/{doc['id']}/download-link", json={}).get_json()
    served = _fetch(client, link["url"])
    assert served.status_code == 200
    assert served.data == PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert "design.pdf" in served.headers["Content-Disposition"]


def test_versions_and_listing(app, client, project):
    issuer, pid = project
    first = _upload(issuer, pid).get_json()
    second = _upload(issuer, pid, PDF + b"% v2\n", document_id=first["id"]).get_json()
    assert (second["id"], second["version"]) == (first["id"], 2)
    versions = issuer.get(f"/api/v1/documents/{first['id']}/versions").get_json()
    assert [v["version"] for v in versions] == [1, 2]
    assert issuer.get(f"/api/v1/projects/{pid}/documents").get_json()[0]["version"] == 2
    old = issuer.post(f"/api/v1/documents/{first['id']}/download-link", json={"version": 1})
    assert _fetch(client, old.get_json()["url"]).data == PDF
    wrong_kind = _upload(issuer, pid, kind="land_title", document_id=first["id"])
    assert wrong_kind.status_code == 409


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)), "unsupported_content"),
    ],
)
def test_empty_and_unsupported_files_are_refused(project, data, code):
    issuer, pid = project
    response = _upload(issuer, pid, data, filename="report.pdf")
    assert response.status_code == 422
    assert response.get_json()["code"] == code


def test_content_types_come_from_the_bytes(project):
    issuer, pid = project
    samples = {
        b'{"type": "FeatureCollection", "features": []}': "application/geo+json",
        b"year,tonnes\n2024,100\n": "text/csv",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 32: "image/png",
    }
    for data, expected in samples.items():
        response = _upload(issuer, pid, data, kind="other", filename="x.pdf")
        assert response.get_json()["content_type"] == expected


def test_too_large_uploads_are_413(make_app):
    app = make_app(max_upload_mb=1)
    client = app.test_client()
    issuer = _issuer(app, client)
    pid = issuer.post("/api/v1/projects", json=BODY).get_json()["id"]
    response = _upload(issuer, pid, PDF + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 413


def test_tampered_and_expired_links_are_refused(app, client, project):
    issuer, pid = project
    doc = _upload(issuer, pid).get_json()
    url = issuer.post(f"/api/v1/documents/{doc['id']}/download-link", json={}).get_json()["url"]
    for old, new in [("version=1", "version=2"), ("actor=", "actor=x")]:
        assert _fetch(client, url.replace(old, new)).status_code in {403, 404}
    tampered_sig = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert _fetch(client, tampered_sig).get_json()["code"] == "invalid_link"
    platform = app.extensions["platform"]
    real_clock = platform.clock

    class Later:
        def now(self):
            return real_clock.now() + timedelta(minutes=11)

    platform.clock = Later()
    try:
        expired = _fetch(client, url)
    finally:
        platform.clock = real_clock
    assert expired.status_code == 403
    assert expired.get_json()["code"] == "link_expired"


def test_access_follows_the_project_and_every_read_is_logged(app, client, project):
    issuer, pid = project
    doc = _upload(issuer, pid).get_json()
    stranger = signed_in(app, client, "stranger@example.org")
    assert stranger.get(f"/api/v1/documents/{doc['id']}").status_code == 404
    assert stranger.post(f"/api/v1/documents/{doc['id']}/download-link", json={}).status_code == 404
    assert _upload(stranger, pid).status_code == 403
    url = issuer.post(f"/api/v1/documents/{doc['id']}/download-link", json={}).get_json()["url"]
    _fetch(client, url)
    log = issuer.get(f"/api/v1/documents/{doc['id']}/access-log").get_json()
    assert [e["action"] for e in log] == ["upload", "link", "download"]
    assert all(e["actor_id"] == issuer.user_id for e in log)


def test_a_project_design_is_needed_to_submit(app, client, project):
    issuer, pid = project
    refused = issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"})
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "documents_missing"
    _upload(issuer, pid)
    submitted = issuer.post(f"/api/v1/projects/{pid}/transitions", json={"to": "submitted"})
    assert submitted.get_json()["status"] == "submitted"
    locked = issuer.patch(f"/api/v1/projects/{pid}", json={"name": "Sneaky rename"})
    assert locked.status_code == 409


def test_rotation_rewraps_keys_and_keeps_documents_readable(make_app, tmp_path, db_url):
    old_key = "k1:" + generate_master_key()
    app = make_app(master_keys=old_key)
    client = app.test_client()
    issuer = _issuer(app, client)
    pid = issuer.post("/api/v1/projects", json=BODY).get_json()["id"]
    doc = _upload(issuer, pid).get_json()
    blobs_before = {p: p.read_bytes() for p in Path(tmp_path / "storage").rglob("*") if p.is_file()}

    rotated = make_app(master_keys=f"{old_key},k2:{generate_master_key()}", master_key_id="k2")
    result = rotated.test_cli_runner().invoke(args=["documents", "rotate-keys"])
    assert "re-wrapped 1 document version(s) under k2" in result.output
    blobs_after = {p: p.read_bytes() for p in Path(tmp_path / "storage").rglob("*") if p.is_file()}
    assert blobs_after == blobs_before  # the ciphertext was not touched
    client = rotated.test_client()
    issuer_again = signed_in(rotated, client, "issuer@example.org", roles=("issuer",))
    url = issuer_again.post(f"/api/v1/documents/{doc['id']}/download-link", json={}).get_json()[
        "url"
    ]
    assert _fetch(client, url).data == PDF
    assert base64  # (keys are base64 text in MASTER_KEYS)


def test_the_openapi_upload_form_lists_every_field(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    upload = spec["paths"]["/api/v1/projects/{project_id}/documents"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in form:
        form = spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[-1]]
    assert {"file", "kind", "document_id"} <= set(form["properties"])
    assert form["properties"]["file"]["format"] == "binary"
    assert set(form["required"]) == {"file", "kind"}
    assert all(p["in"] in {"path", "header"} for p in upload.get("parameters", []))
