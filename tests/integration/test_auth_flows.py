"""Identity end to end through HTTP: accounts, email, sessions, tokens and their attacks."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.integration.identity import (
    PASSWORD,
    login,
    mail_to,
    register_and_verify,
    signed_in,
    token_in,
)
from tests.integration.smtp_server import smtp_server  # noqa: F401 (fixture)

ME = "/api/v1/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_register_verify_login_refresh_logout_through_a_real_smtp_server(
    make_app,
    smtp_server,  # noqa: F811
):
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp_server.port)
    client = app.test_client()
    body = {"email": "Ada@Example.org", "password": PASSWORD, "display_name": "Ada"}
    registered = client.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 201
    assert registered.get_json()["email_verified"] is False

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ada@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    token = token_in(text)
    credentials = {"email": body["email"], "password": PASSWORD}
    unverified = client.post("/api/v1/auth/login", json=credentials)
    assert unverified.status_code == 401
    assert unverified.get_json()["code"] == "email_not_verified"
    assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 200
    assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 401

    tokens = login(client, "ada@example.org")
    me = client.get(ME, headers=bearer(tokens["access_token"])).get_json()
    assert (me["email"], me["email_verified"], me["roles"]) == ("ada@example.org", True, ["retail"])

    rotated = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert rotated.status_code == 200
    new = rotated.get_json()
    assert client.get(ME, headers=bearer(new["access_token"])).status_code == 200

    assert (
        client.post("/api/v1/auth/logout", headers=bearer(new["access_token"])).status_code == 204
    )
    assert client.get(ME, headers=bearer(new["access_token"])).status_code == 401
    again = client.post("/api/v1/auth/refresh", headers=bearer(new["refresh_token"]))
    assert again.status_code == 401


def test_registering_twice_answers_the_same_and_warns_the_owner(app, client):
    register_and_verify(app, client, "bob@example.org")
    body = {"email": "bob@example.org", "password": PASSWORD, "display_name": "Not Bob"}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201
    assert set(response.get_json()) >= {"id", "email", "roles", "email_verified"}
    assert "already has one" in mail_to(app, "bob@example.org", "tried to register").text


def test_password_reset_without_account_enumeration(app, client):
    register_and_verify(app, client, "carol@example.org")
    session = login(client, "carol@example.org")
    unknown = client.post("/api/v1/auth/password/forgot", json={"email": "who@example.org"})
    known = client.post("/api/v1/auth/password/forgot", json={"email": "carol@example.org"})
    assert unknown.status_code == known.status_code == 202
    assert unknown.get_json() == known.get_json()

    token = token_in(mail_to(app, "carol@example.org", "Reset").text)
    weak = client.post("/api/v1/auth/password/reset", json={"token": token, "password": "weak"})
    assert weak.status_code == 422
    assert "password" in weak.get_json()["errors"]
    new_password = "Totally-New-Pass-9"
    reset = client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": new_password}
    )
    assert reset.status_code == 200
    assert client.get(ME, headers=bearer(session["access_token"])).status_code == 401
    bad = client.post(
        "/api/v1/auth/login", json={"email": "carol@example.org", "password": PASSWORD}
    )
    assert bad.status_code == 401
    assert login(client, "carol@example.org", new_password)["access_token"]


def test_profile_and_sessions(app, client):
    ada = signed_in(app, client, "ada@example.org")
    other = login(client, "ada@example.org")
    updated = ada.patch(ME, json={"display_name": "Ada L."})
    assert updated.get_json()["display_name"] == "Ada L."
    listed = ada.get("/api/v1/me/sessions").get_json()
    assert len(listed) == 2
    assert sum(s["current"] for s in listed) == 1
    other_id = next(s["id"] for s in listed if not s["current"])
    assert ada.delete(f"/api/v1/me/sessions/{other_id}").status_code == 204
    assert client.get(ME, headers=bearer(other["access_token"])).status_code == 401
    assert ada.get(ME).status_code == 200
    current_id = next(s["id"] for s in listed if s["current"])
    bob = signed_in(app, client, "bob@example.org")
    assert bob.delete(f"/api/v1/me/sessions/{current_id}").status_code == 404


def _forge(app, claims: dict, *, key: str | None = None, algorithm: str = "HS256") -> str:
    secret = key or app.config["JWT_SECRET_KEY"]
    return jwt.encode(claims, secret, algorithm=algorithm)


def _claims(app, caller, **over) -> dict:
    now = int(time.time())
    base = {
        "sub": caller.user_id,
        "sid": jwt.decode(caller.access, options={"verify_signature": False})["sid"],
        "jti": "x" * 32,
        "type": "access",
        "fresh": False,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "iss": app.config["JWT_ENCODE_ISSUER"],
        "aud": "carbon-platform-api",
    }
    return {**base, **over}


def test_forged_and_misused_tokens_are_refused(app, client):
    ada = signed_in(app, client, "ada@example.org")
    assert client.get(ME, headers=bearer(_forge(app, _claims(app, ada)))).status_code == 200

    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    payload = jwt.utils.base64url_encode(
        jwt.api_jws.json.dumps(_claims(app, ada)).encode()
    ).decode()
    attacks = {
        "alg none": f"{header}.{payload}.",
        "other key": _forge(app, _claims(app, ada), key="k" * 48),
        "HS512": _forge(app, _claims(app, ada), algorithm="HS512"),
        "expired": _forge(app, _claims(app, ada, exp=int(time.time()) - 5)),
        "wrong audience": _forge(app, _claims(app, ada, aud="someone-else")),
        "wrong issuer": _forge(app, _claims(app, ada, iss="https://evil.example")),
        "refresh as access": ada.refresh,
        "garbage": "not.a.jwt",
    }
    for name, token in attacks.items():
        response = client.get(ME, headers=bearer(token))
        assert response.status_code == 401, name
        assert response.mimetype == "application/problem+json", name
    access_as_refresh = client.post("/api/v1/auth/refresh", headers=bearer(ada.access))
    assert access_as_refresh.status_code == 401


def test_a_token_naming_another_users_session_is_refused(app, client):
    boss = signed_in(app, client, "boss@example.org", roles=("platform_admin",))
    ada = signed_in(app, client, "ada@example.org")
    as_boss_on_adas_session = _forge(app, _claims(app, ada, sub=boss.user_id))
    response = client.get("/api/v1/audit-logs", headers=bearer(as_boss_on_adas_session))
    assert response.status_code == 401
    assert response.get_json()["code"] == "session_revoked"
    unknown_session = _forge(app, _claims(app, boss, sid="s" * 26))
    assert client.get(ME, headers=bearer(unknown_session)).status_code == 401
    assert boss.get("/api/v1/audit-logs").status_code == 200


def test_a_reused_refresh_token_revokes_the_whole_family(app, client):
    ada = signed_in(app, client, "ada@example.org")
    first = client.post("/api/v1/auth/refresh", headers=bearer(ada.refresh)).get_json()
    reuse = client.post("/api/v1/auth/refresh", headers=bearer(ada.refresh))
    assert reuse.status_code == 401
    assert reuse.get_json()["code"] == "invalid_token"
    assert client.get(ME, headers=bearer(first["access_token"])).status_code == 401
    assert (
        client.post("/api/v1/auth/refresh", headers=bearer(first["refresh_token"])).status_code
        == 401
    )


def test_login_is_rate_limited_per_ip(make_app):
    app = make_app(auth_ratelimit_ip="2 per minute")
    client = app.test_client()
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"email": f"u{i}@example.org", "password": "x"}
        ).status_code
        for i in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_bootstrap_admin_is_created_on_start(make_app):
    app = make_app(
        bootstrap_admin_email="root@example.org", bootstrap_admin_password="Strong-Pass-2026!"
    )
    tokens = login(app.test_client(), "root@example.org", "Strong-Pass-2026!")
    me = app.test_client().get(ME, headers=bearer(tokens["access_token"])).get_json()
    assert "platform_admin" in me["roles"]


def test_passwords_are_stored_as_argon2id(make_app):
    app = make_app(password_hash_fast=False)
    client = app.test_client()
    client.post(
        "/api/v1/auth/register",
        json={"email": "h@example.org", "password": PASSWORD, "display_name": "H"},
    )
    import sqlalchemy as sa

    with app.extensions["platform"].db.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize("body", [{}, {"email": "a@b.c"}, {"email": 5, "password": []}])
def test_malformed_login_bodies_are_422(client, body):
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 422


def test_an_expired_access_token_says_so(app, client):
    ada = signed_in(app, client, "ada@example.org")
    expired = _forge(app, _claims(app, ada, exp=int(time.time()) - 1))
    response = client.get(ME, headers=bearer(expired))
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_expired"


def test_a_removed_member_or_revoked_role_loses_access_at_once(app, client):
    boss = signed_in(app, client, "boss@example.org", roles=("platform_admin",))
    erin = signed_in(app, client, "erin@example.org", roles=("enterprise",))
    org = erin.post("/api/v1/organizations", json={"name": "Erin Co"}).get_json()
    vic = signed_in(app, client, "vic@example.org")
    added = erin.post(
        f"/api/v1/organizations/{org['id']}/members",
        json={"email": "vic@example.org", "role": "auditor"},
    )
    assert added.get_json()["status"] == "active"
    assert vic.get(f"/api/v1/organizations/{org['id']}").status_code == 200
    assert vic.get("/api/v1/audit-logs").status_code == 200
    erin.delete(f"/api/v1/organizations/{org['id']}/members/{vic.user_id}")
    assert vic.get(f"/api/v1/organizations/{org['id']}").status_code == 404  # same token
    assert vic.get("/api/v1/audit-logs").status_code == 403

    assert boss.put(f"/api/v1/admin/users/{vic.user_id}/roles/issuer").status_code == 200
    assert vic.post("/api/v1/organizations", json={"name": "Vic Co"}).status_code == 201
    assert boss.delete(f"/api/v1/admin/users/{vic.user_id}/roles/issuer").status_code == 200
    assert vic.post("/api/v1/organizations", json={"name": "Vic Co 2"}).status_code == 403


def test_api_keys_over_http(app, client):
    erin = signed_in(app, client, "erin@example.org", roles=("enterprise",))
    org = erin.post("/api/v1/organizations", json={"name": "Erin Co"}).get_json()
    keys = f"/api/v1/organizations/{org['id']}/api-keys"
    created = erin.post(keys, json={"name": "billing sync", "scopes": ["members:read"]})
    assert created.status_code == 201
    key = created.get_json()["key"]
    listed = erin.get(keys).get_json()
    assert "key" not in listed[0]
    assert key.startswith(f"ck_{listed[0]['prefix']}_")
    members = client.get(f"/api/v1/organizations/{org['id']}/members", headers={"X-API-Key": key})
    assert members.status_code == 200
    assert erin.get(keys).get_json()[0]["last_used_at"] is not None
    assert erin.delete(f"{keys}/{listed[0]['id']}").status_code == 204
    refused = client.get(f"/api/v1/organizations/{org['id']}/members", headers={"X-API-Key": key})
    assert refused.status_code == 401
    bad_scope = erin.post(keys, json={"name": "x", "scopes": ["roles:manage"]})
    assert bad_scope.status_code == 422


def test_audit_log_records_identity_changes_without_secrets(app, client):
    boss = signed_in(app, client, "boss@example.org", roles=("platform_admin",))
    register_and_verify(app, client, "dora@example.org")
    entries = boss.get("/api/v1/audit-logs?entity_type=user").get_json()
    actions = {e["action"] for e in entries}
    assert {"user.registered", "user.email_verified", "user.bootstrapped"} <= actions
    everything = boss.get("/api/v1/audit-logs?page_size=100")
    assert PASSWORD not in everything.get_data(as_text=True)
    assert "X-Pagination" in everything.headers
    verify = boss.get("/api/v1/audit-logs/verify").get_json()
    assert verify["valid"] is True
    assert verify["length"] >= len(entries)


def test_sessions_are_revoked_through_redis_when_configured(make_app):
    from tests.conftest import REDIS_URL, require

    redis_url = require("redis", REDIS_URL)
    app = make_app(redis_url=redis_url)
    client = app.test_client()
    ada = signed_in(app, client, "ada@example.org")
    platform = app.extensions["platform"]
    assert type(platform.revocations).__name__ == "RedisRevocationList"
    assert client.post("/api/v1/auth/logout", headers=ada.headers).status_code == 204
    assert client.get(ME, headers=ada.headers).status_code == 401
    sid = jwt.decode(ada.access, options={"verify_signature": False})["sid"]
    assert platform.revocations.is_revoked(sid)


@pytest.mark.parametrize("email", ["", "not-an-address", "a b@example.org", "x" * 254])
def test_a_malformed_email_gets_the_answer_an_unknown_one_gets(client, email):
    login = client.post("/api/v1/auth/login", json={"email": email, "password": "Whatever-123"})
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.org", "password": "Whatever-123"}
    )
    assert login.status_code == unknown.status_code == 401
    assert login.get_json()["code"] == unknown.get_json()["code"]
    forgot = client.post("/api/v1/auth/password/forgot", json={"email": email})
    assert forgot.status_code == 202
    neutral = client.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.org"})
    assert forgot.get_json() == neutral.get_json()
