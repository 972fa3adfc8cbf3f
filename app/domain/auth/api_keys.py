"""API keys for services: created by an organization admin, shown once, stored hashed
with a visible prefix, scoped, revocable."""

from __future__ import annotations

import secrets

from app.domain.auth.errors import InvalidToken
from app.domain.auth.model import API_KEY_NAME, ApiKey, hash_secret, new_secret, secret_matches
from app.domain.auth.organizations import authorize_org
from app.domain.auth.permissions import API_KEY_SCOPES
from app.domain.auth.principal import Principal
from app.domain.auth.results import ApiKeyCreated, ApiKeyView
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import InvalidValue, NotFound
from app.domain.shared.ids import new_id
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW

KEY_PREFIX = "ck"


def create_api_key(
    principal: Principal,
    org_id: str,
    *,
    name: str,
    scopes: list[str],
    uow: AuthUoW,
    clock: Clock,
) -> ApiKeyCreated:
    authorize_org(principal, org_id, "api_keys:manage")
    unknown = sorted(set(scopes) - API_KEY_SCOPES)
    if unknown or not scopes:
        raise InvalidValue(
            "scopes must be a non-empty subset of " + ", ".join(sorted(API_KEY_SCOPES)),
            code="invalid_scopes",
            errors={"scopes": [f"unknown scope: {s}" for s in unknown] or ["at least one"]},
        )
    prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}_{prefix}_{new_secret(32)}"
    key = ApiKey(
        new_id(),
        org_id,
        API_KEY_NAME.clean(name, field="name"),
        prefix,
        hash_secret(raw),
        frozenset(scopes),
        principal.id,
        clock.now(),
    )
    with uow:
        uow.api_keys.add(key)
        uow.audit(
            AuditRecord(
                "api_key.created",
                "api_key",
                key.id,
                principal.id,
                after={"name": key.name, "prefix": prefix, "scopes": sorted(scopes)},
                organization_id=org_id,
            )
        )
        uow.commit()
    return ApiKeyCreated(raw, ApiKeyView.of(key))


def list_api_keys(principal: Principal, org_id: str, *, uow: AuthUoW) -> list[ApiKeyView]:
    authorize_org(principal, org_id, "api_keys:read")
    with uow:
        return [ApiKeyView.of(k) for k in uow.api_keys.list_for_org(org_id)]


def revoke_api_key(
    principal: Principal, org_id: str, key_id: str, *, uow: AuthUoW, clock: Clock
) -> None:
    authorize_org(principal, org_id, "api_keys:manage")
    with uow:
        key = uow.api_keys.get(key_id)
        if key is None or key.organization_id != org_id:
            raise NotFound("API key not found")
        if key.revoked_at is None:
            key.revoked_at = clock.now()
            uow.api_keys.save(key)
            uow.audit(
                AuditRecord(
                    "api_key.revoked", "api_key", key.id, principal.id, organization_id=org_id
                )
            )
            uow.commit()


def principal_for_api_key(raw: str, *, uow: AuthUoW, clock: Clock) -> Principal:
    parts = raw.split("_")
    if len(parts) < 3 or parts[0] != KEY_PREFIX:
        raise InvalidToken("malformed API key")
    with uow:
        key = uow.api_keys.by_prefix(parts[1])
        if key is None or not secret_matches(raw, key.key_hash) or not key.usable():
            raise InvalidToken("unknown or revoked API key")
        if key.touch(clock.now()):
            uow.api_keys.save(key)
            uow.commit()
    return Principal(id=key.id, kind="api_key", scopes=key.scopes, api_key_org=key.organization_id)
