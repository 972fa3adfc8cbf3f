"""Lifetimes and identity of the platform as the auth services need them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from app.domain.auth.throttle import LoginThrottle


@dataclass(frozen=True)
class AuthPolicy:
    public_base_url: str = "http://127.0.0.1:5000"
    refresh_ttl: timedelta = timedelta(days=30)
    verify_email_ttl: timedelta = timedelta(hours=24)
    reset_password_ttl: timedelta = timedelta(hours=1)
    nonce_ttl: timedelta = timedelta(minutes=10)
    chain_id: int = 31337
    siwe_statement: str = "Sign in to the carbon credit platform."
    token_key: bytes = b"development-token-key"  # derived from SECRET_KEY by the bootstrap
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)

    @property
    def siwe_domain(self) -> str:
        """host[:port] of the public URL: what a wallet shows the user."""
        return self.public_base_url.split("://", 1)[-1].split("/", 1)[0]

    @property
    def siwe_uri(self) -> str:
        return self.public_base_url
