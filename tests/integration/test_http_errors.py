"""Every error, ours or the framework's, is RFC 9457 problem+json."""

from __future__ import annotations

import json

PROBLEM = "application/problem+json"
KEYS = {"type", "title", "status", "detail", "code", "request_id"}


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.data
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body.keys() >= KEYS
    assert (body["status"], body["code"]) == (status, code)
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_unknown_path_is_404(client):
    _problem(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/health")
    _problem(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/_probe/echo", data='{"name": "x",', content_type="application/json"
    )
    _problem(response, 400, "malformed_json")


def test_a_json_body_without_a_json_media_type_is_415(client):
    body = json.dumps({"name": "x", "quantity": "1"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        response = client.post("/api/v1/_probe/echo", data=body, content_type=content_type)
        problem = _problem(response, 415, "unsupported_media_type")
        assert "Content-Type: application/json" in problem["detail"]
        assert response.headers["Accept-Post"] == "application/json"
    as_json = client.post("/api/v1/_probe/echo", data=body, content_type="application/json")
    assert as_json.status_code == 200
    vendor_json = client.post("/api/v1/_probe/echo", data=body, content_type="application/x+json")
    assert vendor_json.status_code == 200
    _problem(client.post("/api/v1/_probe/echo"), 422, "validation_failed")  # no body at all


def test_the_415_is_documented_where_a_json_body_is_read(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    login = paths["/api/v1/auth/login"]["post"]
    assert "application/json" in login["requestBody"]["content"]
    assert login["responses"]["415"] == {"$ref": "#/components/responses/UNSUPPORTED_MEDIA_TYPE"}
    assert "415" not in paths["/api/v1/projects"]["get"]["responses"]
    upload = paths["/api/v1/projects/{project_id}/documents"]["post"]
    assert "415" not in upload["responses"]  # a multipart form


def test_a_form_login_is_told_to_send_json(client):
    response = client.post("/api/v1/auth/login", data={"email": "a@b.org", "password": "x"})
    _problem(response, 415, "unsupported_media_type")


def test_validation_is_422_with_field_errors(client):
    response = client.post(
        "/api/v1/_probe/echo", json={"name": "", "quantity": "many", "address": {}}
    )
    body = _problem(response, 422, "validation_failed")
    assert set(body["errors"]) == {"name", "quantity", "address.country"}
    assert all(isinstance(m, list) and m for m in body["errors"].values())


def test_valid_body_passes(client):
    response = client.post("/api/v1/_probe/echo", json={"name": "x", "quantity": "1.5"})
    assert response.status_code == 200
    assert response.get_json() == {"name": "x", "quantity": "1.5"}


def test_body_too_large_is_413(make_app):
    client = make_app(max_upload_mb=1).test_client()
    payload = json.dumps({"name": "x" * (2 * 1024 * 1024), "quantity": "1"})
    response = client.post("/api/v1/_probe/echo", data=payload, content_type="application/json")
    _problem(response, 413, "payload_too_large")


def test_rate_limited_is_429_with_retry_after(client):
    assert client.get("/api/v1/_probe/limited").status_code == 200
    assert client.get("/api/v1/_probe/limited").status_code == 200
    response = client.get("/api/v1/_probe/limited")
    _problem(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 61


def test_retry_after_is_only_sent_on_refusals(client):
    allowed = client.get("/api/v1/_probe/limited")
    assert allowed.status_code == 200
    assert allowed.headers["X-RateLimit-Limit"] == "2"
    assert allowed.headers["X-RateLimit-Remaining"] == "1"
    assert "Retry-After" not in allowed.headers
    missing = client.get("/api/v1/projects/no-such-project")
    assert missing.status_code == 404
    assert "Retry-After" not in missing.headers


def test_default_limit_applies_per_caller(make_app):
    client = make_app(ratelimit_default="3 per minute").test_client()
    statuses = [client.get("/api/v1/public/audit-logs/head").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    other = client.get("/api/v1/public/audit-logs/head", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    assert client.get("/api/v1/health").status_code == 200  # probes are exempt


def test_domain_errors_map_to_their_status(client):
    body = _problem(client.post("/api/v1/_probe/conflict"), 409, "stale_state")
    assert body["detail"] == "the thing changed meanwhile"


def test_unexpected_error_is_500_without_internals(client):
    body = _problem(client.get("/api/v1/_probe/boom"), 500, "internal_error")
    assert "secret internals" not in json.dumps(body)
    assert "traceback" not in body


def test_development_500_shows_where_it_failed_but_not_the_message(make_app):
    client = make_app(app_env="development", password_hash_fast=False).test_client()
    body = _problem(client.get("/api/v1/_probe/boom"), 500, "internal_error")
    assert any(line.endswith(" in boom") for line in body["traceback"])
    assert body["traceback"][-1] == "builtins.RuntimeError"
    assert "secret internals" not in json.dumps(body)  # messages can hold SQL: log only


def test_request_id_is_echoed_or_made(client):
    given = client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    hostile = client.get("/api/v1/health", headers={"X-Request-ID": "bad id <script>"})
    assert hostile.headers["X-Request-ID"] != "bad id <script>"
    assert len(hostile.headers["X-Request-ID"]) == 32
