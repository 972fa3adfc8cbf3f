"""Sign-In with Ethereum through HTTP, signed by eth-account as a wallet would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from app.domain.auth import siwe
from tests.integration.identity import signed_in

NONCE = "/api/v1/auth/wallet/nonce"
VERIFY = "/api/v1/auth/wallet/verify"


def sign(account, message: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix(
        "0x"
    )


def nonce_for(client, account, *, purpose: str = "login", chain_id: int = 31337):
    response = client.post(
        NONCE, json={"address": account.address, "chain_id": chain_id, "purpose": purpose}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def wallet():
    return Account.create()


def test_a_wallet_signs_in_and_gets_an_account(client, wallet):
    issued = nonce_for(client, wallet)
    assert issued["nonce"] in issued["message"]
    assert wallet.address in issued["message"]
    response = client.post(
        VERIFY, json={"message": issued["message"], "signature": sign(wallet, issued["message"])}
    )
    assert response.status_code == 200, response.get_json()
    tokens = response.get_json()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.get_json()["wallets"] == [wallet.address]

    again = nonce_for(client, wallet)
    second = client.post(
        VERIFY, json={"message": again["message"], "signature": sign(wallet, again["message"])}
    )
    assert second.status_code == 200
    me2 = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {second.get_json()['access_token']}"}
    )
    assert me2.get_json()["id"] == me.get_json()["id"]


def test_a_used_nonce_is_refused(client, wallet):
    issued = nonce_for(client, wallet)
    body = {"message": issued["message"], "signature": sign(wallet, issued["message"])}
    assert client.post(VERIFY, json=body).status_code == 200
    replay = client.post(VERIFY, json=body)
    assert replay.status_code == 401
    assert replay.get_json()["code"] == "nonce_reused"


def _tampered(message: str, **changes) -> str:
    parsed = siwe.parse_message(message, is_checksum_address=lambda a: True)
    fields = {**parsed.__dict__, **changes}
    return siwe.build_message(siwe.SiweMessage(**fields))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"domain": "evil.example"}, "siwe_domain"),
        ({"uri": "https://evil.example"}, "siwe_uri"),
        ({"chain_id": 1}, "siwe_chain_id"),
        (
            {
                "issued_at": datetime.now(UTC) - timedelta(hours=2),
                "expiration_time": datetime.now(UTC) - timedelta(hours=1),
            },
            "siwe_expired",
        ),
    ],
)
def test_messages_for_another_site_chain_or_time_are_refused(client, wallet, changes, code):
    issued = nonce_for(client, wallet)
    message = _tampered(issued["message"], **changes)
    response = client.post(VERIFY, json={"message": message, "signature": sign(wallet, message)})
    assert response.status_code == 401
    assert response.get_json()["code"] == code


def test_a_signature_by_another_address_is_refused(client, wallet):
    issued = nonce_for(client, wallet)
    impostor = Account.create()
    response = client.post(
        VERIFY, json={"message": issued["message"], "signature": sign(impostor, issued["message"])}
    )
    assert response.status_code == 401
    assert response.get_json()["code"] == "siwe_signature"


@pytest.mark.parametrize(
    "message",
    [
        "",
        "hello",
        "x wants you to sign in with your Ethereum account:\n0x12",
        "\x00" * 50,
        "é" * 9000,
    ],
)
def test_malformed_messages_are_401_or_422_never_500(client, message):
    response = client.post(VERIFY, json={"message": message, "signature": "0x" + "ab" * 65})
    assert response.status_code in {401, 422}


@pytest.mark.parametrize("signature", ["", "0x", "0xzz", "0x" + "00" * 65, "12" * 65])
def test_malformed_signatures_are_refused(client, wallet, signature):
    issued = nonce_for(client, wallet)
    response = client.post(VERIFY, json={"message": issued["message"], "signature": signature})
    assert response.status_code in {401, 422}


def test_nonce_requests_are_checked(client, wallet):
    wrong_chain = client.post(NONCE, json={"address": wallet.address, "chain_id": 1})
    assert wrong_chain.status_code == 422
    assert wrong_chain.get_json()["code"] == "wrong_chain"
    bad_address = client.post(NONCE, json={"address": "0x1234", "chain_id": 31337})
    assert bad_address.status_code == 422


def test_linking_a_wallet_to_an_existing_account(app, client, wallet):
    ada = signed_in(app, client, "ada@example.org")
    issued = nonce_for(client, wallet, purpose="link")
    body = {"message": issued["message"], "signature": sign(wallet, issued["message"])}
    linked = ada.post("/api/v1/me/wallets", json=body)
    assert linked.status_code == 200
    assert linked.get_json()["wallets"] == [wallet.address]
    # a login nonce cannot be used to link, and a wallet belongs to one account only
    bob = signed_in(app, client, "bob@example.org")
    login_nonce = nonce_for(client, wallet)
    body = {"message": login_nonce["message"], "signature": sign(wallet, login_nonce["message"])}
    assert bob.post("/api/v1/me/wallets", json=body).status_code == 401
    link_nonce = nonce_for(client, wallet, purpose="link")
    body = {"message": link_nonce["message"], "signature": sign(wallet, link_nonce["message"])}
    taken = bob.post("/api/v1/me/wallets", json=body)
    assert taken.status_code == 409
