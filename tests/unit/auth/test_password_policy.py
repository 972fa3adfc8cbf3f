"""The password policy says which of its rules a refused password broke."""

from __future__ import annotations

import pytest

from app.domain.auth.errors import WeakPassword
from app.domain.auth.model import check_password_policy


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Short-1a", "it is shorter than 12 characters"),
        ("alllowercaseletters", "it uses fewer than three of: lower case, upper case"),
        ("Password1234", "it is a commonly used password"),
        ("Ada.Lovelace-2026", "it contains your email address (the part before the @)"),
    ],
)
def test_a_refused_password_names_the_rule_it_broke(password: str, rule: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password_policy(password, email="Ada.Lovelace@example.org")
    assert refused.value.detail.startswith("password too weak: ")
    assert rule in refused.value.detail
    assert len(refused.value.errors["password"]) == 1


def test_a_common_password_is_not_blamed_on_the_email() -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password_policy("Password1234", email="root@example.org")
    assert refused.value.detail == "password too weak: it is a commonly used password"


def test_a_good_password_passes() -> None:
    check_password_policy("Correct-Horse-42", email="ada@example.org")
