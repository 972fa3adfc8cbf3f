"""The login throttle through HTTP, on the real database: only failed logins slow an
account down, and a stranger's failures do not lock its owner out."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from app.domain.auth.admin import ensure_user
from app.domain.auth.permissions import Role
from app.main.config import Settings
from tests.fakes.clock import FakeClock
from tests.integration.identity import PASSWORD

LOGIN = "/api/v1/auth/login"
EMAIL = "owner@example.org"
WRONG = "Wrong-Pass-123"
STRANGER, OWNER, ELSEWHERE = "203.0.113.66", "198.51.100.7", "192.0.2.44"


@pytest.fixture
def throttled(make_app):
    """An app with the production request limits, a frozen clock and one account."""

    def _make(**overrides):
        overrides.setdefault("auth_ratelimit_account", Settings.auth_ratelimit_account)
        app = make_app(**overrides)
        platform = app.extensions["platform"]
        platform.clock = FakeClock()
        ensure_user(
            EMAIL,
            PASSWORD,
            roles={Role.RETAIL},
            display_name="Owner",
            uow=platform.uow(),
            hasher=platform.hasher,
            clock=platform.clock,
        )
        return app

    return _make


def attempt(client, password: str, ip: str, email: str = EMAIL):
    return client.post(
        LOGIN, json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_ten_wrong_passwords_from_a_stranger_do_not_lock_the_owner_out(throttled):
    client = throttled().test_client()
    statuses = [attempt(client, WRONG, STRANGER).status_code for _ in range(10)]

    response = attempt(client, PASSWORD, OWNER)
    assert response.status_code == 200, response.get_json()
    assert attempt(client, PASSWORD, OWNER).status_code == 200
    assert statuses == [401] * 6 + [429] * 4  # the stranger's address waits
    assert attempt(client, WRONG, STRANGER).status_code == 429


def test_repeated_failures_get_429_with_a_retry_after_that_doubles(throttled):
    app = throttled(login_free_failures=2)
    clock, client = app.extensions["platform"].clock, app.test_client()
    assert [attempt(client, WRONG, STRANGER).status_code for _ in range(3)] == [401] * 3
    waits = []
    for _ in range(4):
        refused = attempt(client, PASSWORD, STRANGER)
        assert refused.status_code == 429
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["code"] == "login_backoff"
        wait = int(refused.headers["Retry-After"])
        waits.append(wait)
        clock.advance(seconds=wait)
        assert attempt(client, WRONG, STRANGER).status_code == 401
    assert waits == [1, 2, 4, 8]


def test_the_wait_is_capped(throttled):
    app = throttled(login_free_failures=0, login_backoff_max_seconds=3)
    clock, client = app.extensions["platform"].clock, app.test_client()
    waits = []
    for _ in range(5):
        assert attempt(client, WRONG, STRANGER).status_code == 401
        waits.append(int(attempt(client, WRONG, STRANGER).headers["Retry-After"]))
        clock.advance(seconds=waits[-1])
    assert waits == [1, 2, 3, 3, 3]


def test_a_successful_login_resets_the_count(throttled):
    app = throttled(login_free_failures=2)
    client = app.test_client()
    assert [attempt(client, WRONG, OWNER).status_code for _ in range(2)] == [401, 401]
    assert attempt(client, PASSWORD, OWNER).status_code == 200
    after = [attempt(client, WRONG, OWNER).status_code for _ in range(4)]
    assert after == [401, 401, 401, 429]


def test_guessing_from_many_addresses_slows_new_addresses_but_not_the_owners(throttled):
    app = throttled(login_account_free_failures=4)
    client = app.test_client()
    assert attempt(client, PASSWORD, OWNER).status_code == 200
    for i in range(5):
        assert attempt(client, WRONG, f"203.0.113.{i}").status_code == 401
    refused = attempt(client, PASSWORD, ELSEWHERE)
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "login_backoff"
    assert attempt(client, PASSWORD, OWNER).status_code == 200


def test_an_unknown_email_is_answered_like_a_real_one(throttled):
    client = throttled(login_free_failures=1).test_client()
    real = [attempt(client, WRONG, STRANGER).status_code for _ in range(3)]
    unknown = [attempt(client, WRONG, STRANGER, "nobody@example.org").status_code for _ in range(3)]
    assert real == unknown == [401, 401, 429]


def test_the_per_ip_limit_still_applies_to_right_passwords(throttled):
    client = throttled(auth_ratelimit_ip="3 per minute").test_client()
    statuses = [attempt(client, PASSWORD, OWNER).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert attempt(client, PASSWORD, ELSEWHERE).status_code == 200


def test_concurrent_guesses_cannot_slip_past_the_count(throttled):
    app = throttled(login_free_failures=2)
    results: list[int] = []
    start = threading.Barrier(8)

    def guess() -> None:
        client = app.test_client()
        start.wait()
        results.append(attempt(client, WRONG, STRANGER).status_code)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the clock is frozen: 2 free failures and the one that starts the first wait
    assert Counter(results) == {401: 3, 429: 5}


def test_the_failures_are_stored_in_the_database(throttled):
    app = throttled()
    attempt(app.test_client(), WRONG, "2001:db8:1:2::99")
    with app.extensions["platform"].db.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT source, failures FROM login_failures ORDER BY source")
        ).all()
    assert [tuple(r) for r in rows] == [("*", 1), ("2001:db8:1:2::/64", 1)]


def test_requests_for_a_wallet_nonce_do_not_block_the_address(make_app):
    client = make_app(auth_ratelimit_account="3 per minute").test_client()
    body = {"address": "0x" + "ab" * 20, "chain_id": 31337, "purpose": "login"}
    statuses = [
        client.post(
            "/api/v1/auth/wallet/nonce", json=body, environ_base={"REMOTE_ADDR": f"192.0.2.{i}"}
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200] * 5


def test_forgot_password_is_still_limited_per_email(make_app):
    client = make_app(auth_ratelimit_account="2 per minute").test_client()
    statuses = [
        client.post(
            "/api/v1/auth/password/forgot",
            json={"email": "someone@example.org"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{i}"},
        ).status_code
        for i in range(3)
    ]
    assert statuses == [202, 202, 429]


def test_the_openapi_document_lists_the_429_of_login(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    refused = spec["paths"]["/api/v1/auth/login"]["post"]["responses"]["429"]
    assert "login_backoff" in refused["description"]
    assert "application/problem+json" in refused["content"]
    assert "Retry-After" in refused["headers"]
