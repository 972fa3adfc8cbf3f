"""Documents uploaded through HTTP onto the S3 (moto_server) and IPFS (js-ipfs daemon)
backends: only ciphertext reaches the store, and the signed link serves the plaintext."""

from __future__ import annotations

import uuid

import pytest

from tests.integration import storage_servers
from tests.integration.storage_servers import use_aws_test_env
from tests.integration.test_documents_http import PDF, _fetch, _upload
from tests.integration.test_projects_http import BODY, _issuer

moto_s3 = storage_servers.moto_s3
ipfs_daemon = storage_servers.ipfs_daemon


@pytest.fixture(params=["s3", "ipfs"])
def backend_app(request, make_app, monkeypatch):
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto_s3")
        use_aws_test_env(monkeypatch)
        app = make_app(
            storage_backend="s3",
            s3_endpoint_url=endpoint,
            s3_bucket=f"docs-{uuid.uuid4().hex[:10]}",
        )
        app.extensions["platform"].storage.store.ensure_bucket()
    else:
        app = make_app(storage_backend="ipfs", ipfs_api_url=request.getfixturevalue("ipfs_daemon"))
    return app


def test_only_ciphertext_reaches_the_backend(backend_app):
    client = backend_app.test_client()
    issuer = _issuer(backend_app, client)
    pid = issuer.post("/api/v1/projects", json=BODY).get_json()["id"]
    uploaded = _upload(issuer, pid)
    assert uploaded.status_code == 201, uploaded.get_json()
    doc = uploaded.get_json()
    platform = backend_app.extensions["platform"]
    with platform.uow() as unit:
        version = unit.documents.version(doc["id"], 1)
    stored = platform.storage.store.get(version.locator)
    assert b"Monitoring report" not in stored
    assert PDF[:32] not in stored
    assert doc["storage"] == platform.storage.store.name
    ready = client.get("/api/v1/ready").get_json()
    assert ready["checks"][platform.storage.store.name] == "ok"
    link = issuer.post(f"/api/v1/documents/{doc['id']}/download-link", json={}).get_json()
    assert _fetch(client, link["url"]).data == PDF
