"""Whose credits a caller reads (`app.domain.credits.access`): its own, those of the
organizations it acts for, anyone's for a platform admin; and which holders' balances."""

import pytest

from app.domain.auth.permissions import OrgRole, Role
from app.domain.auth.principal import Principal
from app.domain.credits.access import balance_holders, own_holders, owner_ids_to_list, owns
from app.domain.shared.errors import NotFound
from tests.unit.builders import ORG
from tests.unit.ledger_world import ADMIN, STRANGER

MEMBER = Principal("u-member", "user", frozenset({Role.RETAIL}), {ORG: OrgRole.VIEWER})
KEY = Principal("key-1", "api_key", scopes=frozenset({"audit:read"}), api_key_org=ORG)
OTHER_KEY = Principal("key-2", "api_key", scopes=frozenset({"audit:read"}), api_key_org="org-2")


def test_holdings_of_ones_own_and_of_the_organizations_acted_for():
    assert own_holders(MEMBER) == [("user", MEMBER.id), ("organization", ORG)]
    assert own_holders(KEY) == [("organization", ORG)]  # an API key holds nothing itself
    assert owns(KEY, "organization", ORG)
    assert not owns(KEY, "user", KEY.id)
    assert not owns(OTHER_KEY, "organization", ORG)
    assert owns(ADMIN, "organization", ORG)


def test_balances_of_a_holder_among_ones_own_or_of_anyone_for_an_admin():
    mine = ["0xAbC", "0xdef"]
    assert balance_holders(MEMBER, None, mine) == mine
    assert balance_holders(MEMBER, "0xabc", mine) == ["0xabc"]
    with pytest.raises(NotFound):
        balance_holders(MEMBER, "0x999", mine)
    assert balance_holders(ADMIN, "0x999", []) == ["0x999"]
    assert balance_holders(ADMIN, None, []) is None
    assert balance_holders(ADMIN, None, mine) == mine
    assert balance_holders(STRANGER, None, []) == []


def test_listings_are_limited_to_ones_own_owners_except_for_admins():
    assert owner_ids_to_list(MEMBER) == [MEMBER.id, ORG]
    assert owner_ids_to_list(KEY) == [ORG]
    assert owner_ids_to_list(ADMIN) is None
