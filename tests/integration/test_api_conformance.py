"""The OpenAPI gate: schemathesis generates requests for every operation of the OpenAPI
document and sends each, in process, to the WSGI app twice: with a platform admin's token
and with an ordinary user's. Every response must be documented (status code, content type,
headers, body schema), no request may cause a server error, a schema-valid request must not
be refused as invalid (a 400 or 422), and a schema-invalid one must be refused.

An operation joins the gate by existing. One leaves it only with a written reason in
`EXCLUDED` below, and `test_every_operation_is_in_the_gate` keeps that list honest."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from app.http.common.openapi import RULE_CODES
from app.main import migrations
from app.main.app_factory import create_app
from app.main.bootstrap import bootstrap
from tests.integration.conftest import settings_for
from tests.integration.identity import login, signed_in

# (METHOD, path template) -> why the gate cannot send generated requests to it.
EXCLUDED: dict[tuple[str, str], str] = {}

MAX_EXAMPLES = 12

CONFIG = {
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},
    # Replaced by `schema_valid_requests_are_accepted` below, which knows the domain
    # rules an operation declares.
    "checks": {"positive_data_acceptance": {"enabled": False}},
    "operations": [
        # The price stream lasts `max_seconds` (up to 5 minutes, 300 when not given):
        # each case reads one that lasts a second, to its end.
        {"include-path-regex": "/market/stream$", "parameters": {"max_seconds": 1}},
    ],
}


@schemathesis.check
def schema_valid_requests_are_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request valid by the schema is never refused as malformed or invalid (400, 422),
    except with one of the domain rule codes its operation declares in `x-rule-codes`
    (rules no schema can state, such as a password on a list of common ones)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    declared = case.operation.definition.raw.get(RULE_CODES, [])
    try:
        code = response.json().get("code")
    except ValueError:
        code = None
    if response.status_code == 422 and code in declared:
        return None
    raise AssertionError(
        f"a schema-valid request was refused with {response.status_code} {code!r}"
        f" (declared rule codes: {declared}): {response.text[:500]}"
    )


def _operations(app: Any) -> set[tuple[str, str]]:
    spec = app.extensions["api"].spec.to_dict()
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


ADMIN = "gate-admin@example.org"
USER = "gate-user@example.org"


def _gate_app() -> tuple[Any, Any]:
    """One app for the whole gate, on the embedded defaults (SQLite, in-memory chain,
    local files). Built when the module is collected: schemathesis makes one test per
    operation from its OpenAPI document."""
    folder = Path(tempfile.mkdtemp(prefix="api-gate-"))
    url = f"sqlite:///{folder / 'platform.db'}"
    migrations.upgrade(url)
    settings = settings_for(url, storage_dir=str(folder / "storage"), ratelimit_enabled=False)
    platform = bootstrap(settings)
    return create_app(platform=platform), platform


GATE_APP, GATE_PLATFORM = _gate_app()
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", GATE_APP, config=SchemathesisConfig.from_dict(CONFIG)
)


@pytest.fixture(scope="module")
def gate_users() -> Iterator[None]:
    client = GATE_APP.test_client()
    signed_in(GATE_APP, client, ADMIN, roles=("platform_admin",))
    signed_in(GATE_APP, client, USER)
    yield
    GATE_PLATFORM.close()


def _fresh_token(email: str) -> str:
    """A new session per case, so a generated logout cannot revoke the next case's."""
    return str(login(GATE_APP.test_client(), email)["access_token"])


@schema.parametrize()
def test_every_operation_conforms(case: Any, gate_users: None) -> None:
    reason = EXCLUDED.get((case.method.upper(), case.path))
    if reason:
        pytest.skip(reason)
    for email in (ADMIN, USER):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {_fresh_token(email)}"},
            additional_checks=[schema_valid_requests_are_accepted],
        )


def test_every_operation_is_in_the_gate() -> None:
    operations = _operations(GATE_APP)
    assert len(operations) > 40
    stale = set(EXCLUDED) - operations
    assert not stale, f"excluded operations that no longer exist: {sorted(stale)}"
    unexplained = {op: why for op, why in EXCLUDED.items() if len(why.split()) < 5}
    assert not unexplained, f"an exclusion needs a written reason: {unexplained}"
