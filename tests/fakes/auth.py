"""In-memory auth repositories (entities are copied in and out, like a database would)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.domain.auth.model import (
    ApiKey,
    Invitation,
    OneTimeToken,
    Organization,
    Session,
    User,
    WalletNonce,
)
from app.domain.auth.throttle import LoginFailures


class _Store:
    key = "id"

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def add(self, entity: Any) -> None:
        key = getattr(entity, self.key)
        if key in self.items:
            raise KeyError(f"duplicate {key}")
        self.items[key] = copy.deepcopy(entity)

    def save(self, entity: Any) -> None:
        self.items[getattr(entity, self.key)] = copy.deepcopy(entity)

    def get(self, key: str) -> Any:
        found = self.items.get(key)
        return copy.deepcopy(found)

    get_for_update = get

    def _where(self, **fields: Any) -> list[Any]:
        return [
            copy.deepcopy(e)
            for e in self.items.values()
            if all(getattr(e, k) == v for k, v in fields.items())
        ]


class FakeUserRepository(_Store):
    def add(self, entity: User) -> None:
        if entity.email and self.by_email(entity.email):
            raise KeyError("duplicate email")
        super().add(entity)

    def by_email(self, email: str) -> User | None:
        found = self._where(email=email)
        return found[0] if found else None

    def by_wallet(self, address: str) -> User | None:
        for user in self.items.values():
            if address.lower() in (w.lower() for w in user.wallets):
                return copy.deepcopy(user)
        return None


class FakeOrganizationRepository(_Store):
    def __init__(self) -> None:
        super().__init__()
        self.invitations: dict[str, Invitation] = {}

    def memberships_of(self, user_id: str) -> dict[str, str]:
        return {
            org.id: org.members[user_id].value
            for org in self.items.values()
            if user_id in org.members
        }

    def add_invitation(self, invitation: Invitation) -> None:
        self.invitations[invitation.id] = copy.deepcopy(invitation)

    save_invitation = add_invitation

    def open_invitations(self, email: str) -> list[Invitation]:
        return [
            copy.deepcopy(i)
            for i in self.invitations.values()
            if i.email == email and i.accepted_at is None
        ]

    def invitations_of(self, org_id: str) -> list[Invitation]:
        return [copy.deepcopy(i) for i in self.invitations.values() if i.organization_id == org_id]

    def get_invitation(self, invitation_id: str) -> Invitation | None:
        return copy.deepcopy(self.invitations.get(invitation_id))

    def get(self, key: str) -> Organization | None:
        return super().get(key)  # type: ignore[no-any-return]


class FakeSessionRepository(_Store):
    def list_for_user(self, user_id: str) -> list[Session]:
        return self._where(user_id=user_id)


class FakeTokenRepository(_Store):
    def by_hash_for_update(self, token_hash: str) -> OneTimeToken | None:
        found = self._where(token_hash=token_hash)
        return found[0] if found else None

    def invalidate_for_user(self, user_id: str, purpose: str, at: datetime) -> None:
        for token in self.items.values():
            if token.user_id == user_id and token.purpose == purpose and token.used_at is None:
                token.used_at = at


class FakeNonceRepository(_Store):
    key = "nonce"

    def get_for_update(self, key: str) -> WalletNonce | None:  # type: ignore[override]
        return self.get(key)  # type: ignore[no-any-return]


class FakeApiKeyRepository(_Store):
    def by_prefix(self, prefix: str) -> ApiKey | None:
        found = self._where(prefix=prefix)
        return found[0] if found else None

    def list_for_org(self, org_id: str) -> Sequence[ApiKey]:
        return self._where(organization_id=org_id)


class FakeLoginFailureRepository:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], LoginFailures] = {}

    def get_for_update(self, account: str, source: str) -> LoginFailures:
        found = self.items.get((account, source))
        return copy.deepcopy(found) if found else LoginFailures(account, source)

    def save(self, record: LoginFailures) -> None:
        self.items[(record.account, record.source)] = copy.deepcopy(record)

    def prune(self, now: datetime, limit: int) -> int:
        expired = [key for key, r in self.items.items() if r.expires_at < now][:limit]
        for key in expired:
            del self.items[key]
        return len(expired)


class FakeRevocationList:
    is_sessions_table = False  # a store of its own, as Redis is

    def __init__(self) -> None:
        self.revoked: set[str] = set()

    def revoke(self, session_ids: list[str], until: datetime) -> None:
        self.revoked.update(session_ids)

    def is_revoked(self, session_id: str) -> bool:
        return session_id in self.revoked


class FakePasswordHasher:
    """Reversible on purpose: tests check policy and flow, not argon2."""

    def hash(self, password: str) -> str:
        return f"fake${password[::-1]}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash(password)

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, message: Any) -> None:
        self.sent.append(message)
