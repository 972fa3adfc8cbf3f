"""Arbitrary request bodies against the JSON parser and the number fields: whatever
arrives, the answer is a 4xx problem, never a 5xx or a crash."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.identity import signed_in

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=40,
)
numberish = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[0-9\u0660-\u0669\s.,eE+\-]{0,40}\Z"),
    st.integers().map(str),
    st.floats(),
    st.integers(),
)
bodies = st.one_of(
    st.binary(max_size=500),
    st.text(max_size=500).map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"quantity": numberish, "vintage": st.integers() | st.text(max_size=5)},
        optional={"project_id": st.text(max_size=20), "beneficiary": st.text(max_size=20)},
    ).map(lambda v: json.dumps(v).encode()),
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-16", "text/plain", None]
)
OPERATIONS = [
    ("POST", "/api/v1/_probe/echo"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/retirements"),
    ("POST", "/api/v1/projects"),
    ("PATCH", "/api/v1/me"),
]


@SETTINGS
@given(body=bodies, content_type=content_types, operation=st.sampled_from(OPERATIONS))
def test_any_body_is_a_client_error_never_a_server_error(
    app, client, body: bytes, content_type: str | None, operation: tuple[str, str]
) -> None:
    if not hasattr(app, "_fuzz_caller"):
        app._fuzz_caller = signed_in(app, client, "fuzz@example.org", roles=("issuer",))
    method, path = operation
    response = client.open(
        path,
        method=method,
        data=body,
        content_type=content_type,
        headers=app._fuzz_caller.headers,
    )
    assert 400 <= response.status_code < 500 or response.status_code in (200, 201), (
        response.status_code,
        response.get_data(as_text=True)[:300],
    )
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == response.status_code
