"""Certificates again with the chain a real node: anvil on loopback (and PostgreSQL
when configured): issued once the retirement is indexed, its chain proof read live from
the node, a tampered row refused, and the command line's check against the node."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tests.integration.test_certificates_http import (
    _retired,
    test_a_retirement_gets_a_certificate_anyone_can_verify,
    test_a_tampered_stored_certificate_fails_verification,
)
from tests.integration.test_credits_flow import _minted

pytest_plugins = ["tests.integration.chain_node"]

__all__ = [
    "test_a_retirement_gets_a_certificate_anyone_can_verify",
    "test_a_tampered_stored_certificate_fails_verification",
]


@pytest.fixture
def rpc_url(anvil: Any) -> str:
    return str(anvil.rpc_url)


@pytest.fixture
def app(make_app: Any, anvil: Any) -> Flask:
    return make_app(
        chain_backend="rpc", chain_rpc_url=anvil.rpc_url, operator_private_key=anvil.private_key
    )


def test_the_command_line_reads_the_chain_proof_from_the_node(app, client, rpc_url, tmp_path):
    issuer, _, pid, _ = _minted(app, client)
    certificate_id = _retired(app, client, issuer, pid)
    path = tmp_path / "certificate.json"
    path.write_text(json.dumps(issuer.get(f"/api/v1/certificates/{certificate_id}").get_json()))
    runner = app.test_cli_runner()

    checked = runner.invoke(args=["certificates", "verify", str(path), "--rpc-url", rpc_url])

    assert checked.exit_code == 0, checked.output
    assert "chain: valid" in checked.output
    assert "CreditsRetired of 2500 kg" in checked.output
