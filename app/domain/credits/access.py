"""Whose credits a caller reads: its own (a user's), those of the organizations it acts
for (`Principal.acts_for`: members and the organization's API keys), and anyone's for a
platform admin."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.auth.principal import Principal
from app.domain.credits.model import OwnerKind
from app.domain.shared.errors import NotFound

Owner = tuple[OwnerKind, str]


def own_holders(principal: Principal) -> list[Owner]:
    """The owners whose holdings and retirements are the caller's own."""
    mine: list[Owner] = [("user", principal.user_id)] if principal.user_id else []
    return mine + [("organization", org) for org in principal.organizations]


def owns(principal: Principal, owner_kind: str, owner_id: str) -> bool:
    """May read what this owner holds or retired."""
    return principal.is_admin or (owner_kind, owner_id) in own_holders(principal)


def owner_ids_to_list(principal: Principal) -> list[str] | None:
    """The owner ids a listing is restricted to; None (everyone's) for admins."""
    return None if principal.is_admin else [owner_id for _, owner_id in own_holders(principal)]


def balance_holders(
    principal: Principal, requested: str | None, own_addresses: Sequence[str]
) -> list[str] | None:
    """The holder addresses whose balances the caller reads: the `requested` one when it
    is among `own_addresses` (the custodial addresses of `own_holders`) or the caller is
    a platform admin, else all its own; None (every holder) for an admin without
    holdings of its own."""
    if requested:
        if not principal.is_admin and requested.lower() not in {a.lower() for a in own_addresses}:
            raise NotFound("no such holder among yours")
        return [requested]
    return None if principal.is_admin and not own_addresses else list(own_addresses)
