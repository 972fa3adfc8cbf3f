"""Deeply nested and oversized JSON bodies: a 422 (or 413) naming the limit, on every
operation that takes a JSON body, and the server still answers afterwards."""

from __future__ import annotations

import json
import sys

import pytest

from app.http.common.json_limits import MAX_DEPTH, MAX_JSON_BYTES, SAFE_RECURSION_LIMIT
from tests.integration.identity import signed_in
from tests.integration.test_projects_http import BODY, _issuer

DEEP = 20_000


def _json_operations(app) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document whose request body is JSON."""
    spec = app.extensions["api"].spec.to_dict()
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"post", "put", "patch", "delete"}:
                continue
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                concrete = path.replace("{", "").replace("}", "")
                found.append((method.upper(), concrete))
    return found


def _nested(depth: int) -> str:
    return '{"metadata": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def test_every_json_operation_refuses_a_body_nested_20000_levels(app, client):
    caller = signed_in(app, client, "deep@example.org", roles=("issuer",))
    operations = _json_operations(app)
    assert len(operations) > 20
    for method, path in operations:
        response = client.open(
            path,
            method=method,
            data=_nested(DEEP),
            content_type="application/json",
            headers=caller.headers,
        )
        assert response.status_code == 422, (method, path, response.status_code)
        body = response.get_json()
        assert body["code"] == "validation_failed"
        assert f"at most {MAX_DEPTH} levels" in body["detail"]
    assert client.get("/api/v1/health").status_code == 200


def test_a_deep_list_is_refused_as_well(app, client):
    caller = _issuer(app, client)
    deep = json.dumps(BODY)[:-1] + ', "vintages": ' + "[" * DEEP + "]" * DEEP + "}"
    response = client.post(
        "/api/v1/projects", data=deep, content_type="application/json", headers=caller.headers
    )
    assert response.status_code == 422


def test_metadata_inside_the_body_limit_is_bounded_by_its_own_rules(app, client):
    caller = _issuer(app, client)
    too_deep = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}
    for metadata, words in [
        (too_deep, "nested deeper than 8 levels"),
        ({"k": "x" * 5_000_000}, "bytes"),
        ({f"k{i}": i for i in range(101)}, "more than 100 keys"),
    ]:
        response = caller.client.post(
            "/api/v1/projects", json={**BODY, "metadata": metadata}, headers=caller.headers
        )
        assert response.status_code in (413, 422), response.status_code
        text = json.dumps(response.get_json())
        assert words in text, text
    kept = {"registry": {"id": "VCS-1234", "links": ["https://example.org/a"]}}
    created = caller.client.post(
        "/api/v1/projects", json={**BODY, "metadata": kept}, headers=caller.headers
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["metadata"] == kept


def test_an_oversized_json_body_is_413_with_the_limit(app, client):
    caller = _issuer(app, client)
    body = json.dumps({**BODY, "description": "x" * (MAX_JSON_BYTES + 1)})
    response = client.post(
        "/api/v1/projects", data=body, content_type="application/json", headers=caller.headers
    )
    assert response.status_code == 413
    assert str(MAX_JSON_BYTES) in response.get_json()["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/merge-patch+json", None])
def test_the_bound_holds_whatever_content_type_is_claimed(app, client, content_type):
    response = client.post(
        "/api/v1/auth/login", data="[" * DEEP + "]" * DEEP, content_type=content_type
    )
    assert response.status_code == 422


def test_the_app_keeps_the_recursion_limit_down_after_a_dependency_raises_it(app, client):
    sys.setrecursionlimit(100_000)
    client.get("/api/v1/health")
    assert sys.getrecursionlimit() <= SAFE_RECURSION_LIMIT
