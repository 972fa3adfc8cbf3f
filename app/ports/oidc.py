"""OpenID Connect login (optional). No adapter ships yet: with none configured, the
platform offers no OIDC login. An adapter implements this and the auth services map
the verified identity to an account (by `issuer` + `subject`, linked by email)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OidcIdentity:
    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


class OidcProvider(Protocol):
    def authorization_url(self, *, state: str, nonce: str, redirect_uri: str) -> str:
        """Where to send the browser (authorization code flow with PKCE)."""
        ...

    def exchange(self, *, code: str, redirect_uri: str, nonce: str) -> OidcIdentity:
        """Redeem the code, verify the ID token (signature, iss, aud, exp, nonce)."""
        ...
