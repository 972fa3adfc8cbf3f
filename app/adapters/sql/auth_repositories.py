"""SQL repositories of the auth module (SQLAlchemy Core, explicit row <-> entity mapping)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from app.adapters.sql.tables_auth import (
    api_keys,
    invitations,
    memberships,
    one_time_tokens,
    organizations,
    sessions,
    user_roles,
    users,
    wallet_nonces,
    wallets,
)
from app.domain.auth.model import (
    ApiKey,
    Invitation,
    OneTimeToken,
    Organization,
    Session,
    User,
    WalletNonce,
)
from app.domain.auth.permissions import OrgRole, Role


def _fields(entity: Any, table: sa.Table) -> dict[str, Any]:
    return {c.name: getattr(entity, c.name) for c in table.columns if hasattr(entity, c.name)}


class SqlUserRepository:
    def __init__(self, db: DbSession) -> None:
        self._db = db

    def add(self, user: User) -> None:
        self._db.execute(sa.insert(users).values(_fields(user, users)))
        self._write_children(user)

    def get(self, user_id: str) -> User | None:
        return self._one(users.c.id == user_id)

    def get_for_update(self, user_id: str) -> User | None:
        return self._one(users.c.id == user_id, lock=True)

    def by_email(self, email: str) -> User | None:
        return self._one(users.c.email == email)

    def by_wallet(self, address: str) -> User | None:
        owner = sa.select(wallets.c.user_id).where(
            sa.func.lower(wallets.c.address) == address.lower()
        )
        return self._one(users.c.id.in_(owner.scalar_subquery()))

    def save(self, user: User) -> None:
        values = _fields(user, users)
        self._db.execute(sa.update(users).where(users.c.id == user.id).values(values))
        self._db.execute(sa.delete(user_roles).where(user_roles.c.user_id == user.id))
        self._db.execute(sa.delete(wallets).where(wallets.c.user_id == user.id))
        self._write_children(user)

    def _write_children(self, user: User) -> None:
        if user.roles:
            roles = [{"user_id": user.id, "role": r.value} for r in sorted(user.roles)]
            self._db.execute(sa.insert(user_roles), roles)
        if user.wallets:
            rows: list[dict[str, object]] = [
                {"user_id": user.id, "address": a, "position": i}
                for i, a in enumerate(user.wallets)
            ]
            self._db.execute(sa.insert(wallets), rows)

    def _one(self, where: sa.ColumnElement[bool], *, lock: bool = False) -> User | None:
        query = sa.select(users).where(where)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        roles = self._db.execute(
            sa.select(user_roles.c.role).where(user_roles.c.user_id == row.id)
        ).scalars()
        addresses = self._db.execute(
            sa.select(wallets.c.address)
            .where(wallets.c.user_id == row.id)
            .order_by(wallets.c.position)
        ).scalars()
        return User(
            id=row.id,
            email=row.email,
            display_name=row.display_name,
            password_hash=row.password_hash,
            created_at=row.created_at,
            email_verified=row.email_verified,
            disabled=row.disabled,
            timezone=row.timezone,
            roles={Role(r) for r in roles},
            wallets=list(addresses),
        )


class SqlOrganizationRepository:
    def __init__(self, db: DbSession) -> None:
        self._db = db

    def add(self, org: Organization) -> None:
        self._db.execute(sa.insert(organizations).values(_fields(org, organizations)))
        self._write_members(org)

    def get(self, org_id: str) -> Organization | None:
        return self._one(org_id, lock=False)

    def get_for_update(self, org_id: str) -> Organization | None:
        return self._one(org_id, lock=True)

    def save(self, org: Organization) -> None:
        self._db.execute(
            sa.update(organizations).where(organizations.c.id == org.id).values(name=org.name)
        )
        self._db.execute(sa.delete(memberships).where(memberships.c.organization_id == org.id))
        self._write_members(org)

    def memberships_of(self, user_id: str) -> dict[str, str]:
        rows = self._db.execute(
            sa.select(memberships.c.organization_id, memberships.c.role).where(
                memberships.c.user_id == user_id
            )
        )
        return {row.organization_id: row.role for row in rows}

    def add_invitation(self, invitation: Invitation) -> None:
        self._db.execute(sa.insert(invitations).values(_fields(invitation, invitations)))

    def save_invitation(self, invitation: Invitation) -> None:
        values = _fields(invitation, invitations)
        self._db.execute(
            sa.update(invitations).where(invitations.c.id == invitation.id).values(values)
        )

    def open_invitations(self, email: str) -> list[Invitation]:
        return self._invitations(
            (invitations.c.email == email) & invitations.c.accepted_at.is_(None)
        )

    def invitations_of(self, org_id: str) -> list[Invitation]:
        return self._invitations(invitations.c.organization_id == org_id)

    def get_invitation(self, invitation_id: str) -> Invitation | None:
        found = self._invitations(invitations.c.id == invitation_id)
        return found[0] if found else None

    def _invitations(self, where: sa.ColumnElement[bool]) -> list[Invitation]:
        rows = self._db.execute(sa.select(invitations).where(where).order_by(invitations.c.id))
        return [
            Invitation(
                r.id,
                r.organization_id,
                r.email,
                OrgRole(r.role),
                r.invited_by,
                r.created_at,
                r.accepted_at,
            )
            for r in rows
        ]

    def _write_members(self, org: Organization) -> None:
        if org.members:
            rows = [
                {"organization_id": org.id, "user_id": u, "role": r.value}
                for u, r in org.members.items()
            ]
            self._db.execute(sa.insert(memberships), rows)

    def _one(self, org_id: str, *, lock: bool) -> Organization | None:
        query = sa.select(organizations).where(organizations.c.id == org_id)
        row = self._db.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        members = self._db.execute(
            sa.select(memberships.c.user_id, memberships.c.role).where(
                memberships.c.organization_id == org_id
            )
        )
        return Organization(
            row.id,
            row.name,
            row.created_at,
            row.created_by,
            {m.user_id: OrgRole(m.role) for m in members},
        )


class _SimpleRepository:
    """add / get / get_for_update / save for an entity stored in one table."""

    table: sa.Table
    key: str

    def __init__(self, db: DbSession) -> None:
        self._db = db

    def _load(self, row: Any) -> Any:
        raise NotImplementedError

    def _values(self, entity: Any) -> dict[str, Any]:
        """The entity's row."""
        return _fields(entity, self.table)

    def add(self, entity: Any) -> None:
        self._db.execute(sa.insert(self.table).values(self._values(entity)))

    def save(self, entity: Any) -> None:
        column = self.table.c[self.key]
        values = self._values(entity)
        self._db.execute(
            sa.update(self.table).where(column == getattr(entity, self.key)).values(values)
        )

    def _where(self, where: sa.ColumnElement[bool], *, lock: bool = False) -> list[Any]:
        query = sa.select(self.table).where(where)
        rows = self._db.execute(query.with_for_update() if lock else query)
        return [self._load(row) for row in rows]

    def get(self, value: str) -> Any:
        found = self._where(self.table.c[self.key] == value)
        return found[0] if found else None

    def get_for_update(self, value: str) -> Any:
        found = self._where(self.table.c[self.key] == value, lock=True)
        return found[0] if found else None


class SqlSessionRepository(_SimpleRepository):
    table, key = sessions, "id"

    def _load(self, row: Any) -> Session:
        return Session(**row._mapping)

    def list_for_user(self, user_id: str) -> list[Session]:
        return self._where(sessions.c.user_id == user_id)


class SqlTokenRepository(_SimpleRepository):
    table, key = one_time_tokens, "id"

    def _load(self, row: Any) -> OneTimeToken:
        return OneTimeToken(**row._mapping)

    def by_hash_for_update(self, token_hash: str) -> OneTimeToken | None:
        found = self._where(one_time_tokens.c.token_hash == token_hash, lock=True)
        return found[0] if found else None

    def invalidate_for_user(self, user_id: str, purpose: str, at: datetime) -> None:
        self._db.execute(
            sa.update(one_time_tokens)
            .where(
                (one_time_tokens.c.user_id == user_id)
                & (one_time_tokens.c.purpose == purpose)
                & one_time_tokens.c.used_at.is_(None)
            )
            .values(used_at=at)
        )


class SqlNonceRepository(_SimpleRepository):
    table, key = wallet_nonces, "nonce"

    def _load(self, row: Any) -> WalletNonce:
        return WalletNonce(**row._mapping)


class SqlApiKeyRepository(_SimpleRepository):
    table, key = api_keys, "id"

    def _load(self, row: Any) -> ApiKey:
        data = dict(row._mapping)
        data["scopes"] = frozenset(data["scopes"])
        return ApiKey(**data)

    def _values(self, entity: ApiKey) -> dict[str, Any]:
        values = super()._values(entity)
        values["scopes"] = sorted(entity.scopes)  # stored as a JSON list
        return values

    def by_prefix(self, prefix: str) -> ApiKey | None:
        found = self._where(api_keys.c.prefix == prefix)
        return found[0] if found else None

    def list_for_org(self, org_id: str) -> Sequence[ApiKey]:
        keys = self._where(api_keys.c.organization_id == org_id)
        return sorted(keys, key=lambda k: k.created_at)
