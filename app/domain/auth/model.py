"""Accounts, organizations, sessions, one-time secrets and the caller (`Principal`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Literal

from app.domain.auth.errors import InvalidToken, LastAdmin, WeakPassword
from app.domain.auth.permissions import (
    OrgRole,
    Role,
)
from app.domain.shared.errors import InvalidValue
from app.domain.shared.hashing import sha256_hex
from app.domain.shared.text import TextRule

# Who calls, how a session was opened, what a one-time token or a wallet nonce is for:
# stored and shown as these strings.
SessionMethod = Literal["password", "siwe"]
TokenPurpose = Literal["verify_email", "reset_password"]
NoncePurpose = Literal["login", "link"]
DISPLAY_NAME = TextRule(100, blank=False)
ORGANIZATION_NAME = TextRule(200, blank=False)
API_KEY_NAME = TextRule(200, blank=False)
# Local part, domain and top-level domain: no white space or control characters.
EMAIL = re.compile(
    r"^[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]{2,}$"
)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
# The length and character-class part of the policy as one regular expression, for the
# OpenAPI document (the rest, common passwords and the email, only the check knows).
PASSWORD_PATTERN = (
    rf"^(?=[\s\S]{{{MIN_PASSWORD},{MAX_PASSWORD}}}$)(?:"
    + "|".join("".join(f"(?=[\\s\\S]*{c})" for c in trio) for trio in combinations(_CLASSES, 3))
    + ")"
)
COMMON_PASSWORDS = frozenset(
    {"password1234", "123456789012", "qwertyuiopas", "passwordpassword", "changemechangeme"}
)


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 254 or not EMAIL.match(value):
        raise InvalidValue("not a valid email address", code="invalid_email")
    return value


def check_password_policy(password: str, *, email: str = "") -> None:
    """At least 12 characters, three character classes, not the email, not a known one."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"it is shorter than {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        problems.append(f"it is longer than {MAX_PASSWORD} characters")
    if sum(bool(re.search(c, password)) for c in _CLASSES) < 3:
        problems.append("it uses fewer than three of: lower case, upper case, digits, symbols")
    lowered = password.lower()
    local = email.lower().split("@", maxsplit=1)[0]
    if lowered in COMMON_PASSWORDS:
        problems.append("it is a commonly used password")
    if len(local) >= 4 and local in lowered:
        problems.append("it contains your email address (the part before the @)")
    if problems:
        raise WeakPassword(
            "password too weak: " + "; ".join(problems), errors={"password": problems}
        )


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (tokens, API keys): safe to store, fast to look up."""
    return sha256_hex(secret.encode())


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def derive_token(key: bytes, token_id: str) -> str:
    """The secret of a one-time token: HMAC of its id under a server key. The database
    keeps only its hash; the email job derives it again, so the raw secret is never
    stored and the row can be committed before the email goes out."""
    digest = hmac.new(key, token_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class User:
    id: str
    email: str | None
    display_name: str
    password_hash: str | None
    created_at: datetime
    email_verified: bool = False
    roles: set[Role] = field(default_factory=set)
    wallets: list[str] = field(default_factory=list)
    disabled: bool = False
    timezone: str | None = None  # IANA name (`Europe/Paris`): when daily digests go out

    def grant(self, role: Role) -> bool:
        if role in self.roles:
            return False
        self.roles.add(role)
        return True

    def revoke(self, role: Role) -> bool:
        if role not in self.roles:
            return False
        self.roles.discard(role)
        return True


@dataclass
class Organization:
    id: str
    name: str
    created_at: datetime
    created_by: str
    members: dict[str, OrgRole] = field(default_factory=dict)  # user id -> sub-role

    def set_member(self, user_id: str, role: OrgRole) -> OrgRole | None:
        """Add or change a member; refuses to demote the last admin. Returns the old role."""
        previous = self.members.get(user_id)
        if previous == OrgRole.ADMIN and role != OrgRole.ADMIN:
            self._keep_an_admin(user_id)
        self.members[user_id] = role
        return previous

    def remove_member(self, user_id: str) -> OrgRole:
        role = self.members[user_id]
        if role == OrgRole.ADMIN:
            self._keep_an_admin(user_id)
        del self.members[user_id]
        return role

    def _keep_an_admin(self, leaving: str) -> None:
        admins = [u for u, r in self.members.items() if r == OrgRole.ADMIN and u != leaving]
        if not admins:
            raise LastAdmin("an organization keeps at least one admin")


@dataclass
class Invitation:
    id: str
    organization_id: str
    email: str
    role: OrgRole
    invited_by: str
    created_at: datetime
    accepted_at: datetime | None = None


@dataclass
class Session:
    """A refresh-token family. Each refresh rotates `refresh_jti`; presenting an older
    one means the token was copied, and the whole family is revoked."""

    id: str
    user_id: str
    refresh_jti: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None = None
    ip: str | None = None
    method: SessionMethod = "password"
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def rotate(self, presented_jti: str, new_jti: str, now: datetime) -> None:
        if not self.active(now):
            raise InvalidToken("this session has ended")
        if not hmac.compare_digest(presented_jti, self.refresh_jti):
            self.revoke(now, "refresh_token_reuse")
            raise InvalidToken("refresh token already used; the session has been revoked")
        self.refresh_jti = new_jti
        self.last_used_at = now

    def revoke(self, now: datetime, reason: str) -> bool:
        if self.revoked_at is not None:
            return False
        self.revoked_at, self.revoked_reason = now, reason
        return True


@dataclass
class OneTimeToken:
    """Email verification and password reset: stored hashed, single use, expiring."""

    id: str
    user_id: str
    purpose: TokenPurpose
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def consume(self, now: datetime) -> None:
        if self.used_at is not None or now >= self.expires_at:
            raise InvalidToken("this link has expired or was already used")
        self.used_at = now


@dataclass
class WalletNonce:
    nonce: str
    address: str
    chain_id: int
    message: str
    created_at: datetime
    expires_at: datetime
    purpose: NoncePurpose = "login"
    used_at: datetime | None = None

    def consume(self, now: datetime) -> None:
        if self.used_at is not None:
            raise InvalidToken("this nonce was already used", code="nonce_reused")
        if now >= self.expires_at:
            raise InvalidToken("this nonce has expired", code="nonce_expired")
        self.used_at = now


@dataclass
class ApiKey:
    id: str
    organization_id: str
    name: str
    prefix: str
    key_hash: str
    scopes: frozenset[str]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable(self) -> bool:
        return self.revoked_at is None

    def touch(self, now: datetime, every: timedelta = timedelta(minutes=1)) -> bool:
        """Record use, at most once a minute (a write per request would be waste)."""
        if self.last_used_at is not None and now - self.last_used_at < every:
            return False
        self.last_used_at = now
        return True
