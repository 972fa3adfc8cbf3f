"""HTTP helpers for tests that need signed-in callers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

PASSWORD = "Correct-Horse-42"


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def mail_to(app, address: str, subject_part: str = ""):
    """The newest message the LogMailer kept for this address (waits for the worker)."""
    outbox = app.extensions["platform"].mailer.outbox

    def find():
        found = [m for m in list(outbox) if m.to == address and subject_part in m.subject]
        return found[-1] if found else None

    return wait_for(find)


def token_in(text: str) -> str:
    return text.split("token=")[1].split(maxsplit=1)[0]


@dataclass
class Caller:
    client: Any
    user_id: str
    email: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    def get(self, path: str, **kw: Any):
        return self.client.get(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, path: str, **kw: Any):
        return self.client.post(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def patch(self, path: str, **kw: Any):
        return self.client.patch(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def put(self, path: str, **kw: Any):
        return self.client.put(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, path: str, **kw: Any):
        return self.client.delete(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)


def register_and_verify(app, client, email: str, name: str = "Test User") -> str:
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": name}
    )
    assert response.status_code == 201, response.get_json()
    message = mail_to(app, email, "Confirm")
    verified = client.post("/api/v1/auth/verify-email", json={"token": token_in(message.text)})
    assert verified.status_code == 200, verified.get_json()
    return str(verified.get_json()["id"])


def login(client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def signed_in(app, client, email: str, *, roles: tuple[str, ...] = ()) -> Caller:
    """A verified user holding `roles` (granted directly through the domain)."""
    from app.domain.auth.admin import ensure_user
    from app.domain.auth.permissions import Role

    platform = app.extensions["platform"]
    view, _ = ensure_user(
        email,
        PASSWORD,
        roles={Role(r) for r in roles} or {Role.RETAIL},
        display_name=email.split("@", maxsplit=1)[0],
        uow=platform.uow(),
        hasher=platform.hasher,
        clock=platform.clock,
    )
    tokens = login(client, email)
    return Caller(client, view.id, email, tokens["access_token"], tokens["refresh_token"])
