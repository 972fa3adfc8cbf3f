"""The webhook signature: Stripe's scheme, constant-time checked, 300 s tolerance, several
secrets during a rotation."""

from __future__ import annotations

import pytest

from app.domain.payments import signature
from app.domain.payments.errors import InvalidSignature

BODY = b'{"id":"evt_1","type":"payment_intent.succeeded"}'
NOW = 1_780_000_000


def test_a_signature_made_with_the_secret_verifies_and_gives_its_timestamp():
    header = signature.sign(BODY, "whsec_a", NOW)
    assert header.startswith(f"t={NOW},v1=")
    assert signature.verify(BODY, header, ["whsec_a"], NOW + 299) == NOW


@pytest.mark.parametrize(
    ("body", "secrets", "now"),
    [
        (BODY + b" ", ["whsec_a"], NOW),  # the body changed
        (BODY, ["whsec_b"], NOW),  # another secret
        (BODY, ["whsec_a"], NOW + 301),  # too old
        (BODY, ["whsec_a"], NOW - 301),  # from the future
    ],
)
def test_a_changed_body_another_secret_or_a_time_outside_the_tolerance_is_refused(
    body, secrets, now
):
    header = signature.sign(BODY, "whsec_a", NOW)
    with pytest.raises(InvalidSignature):
        signature.verify(body, header, secrets, now)


@pytest.mark.parametrize(
    "header", [None, "", "v1=abc", f"t={NOW}", "t=abc,v1=00", f"t={NOW},v0=00", "garbage"]
)
def test_a_missing_or_malformed_header_is_refused(header):
    with pytest.raises(InvalidSignature):
        signature.verify(BODY, header, ["whsec_a"], NOW)


def test_during_a_rotation_every_listed_secret_is_accepted_and_the_first_signs():
    secrets = signature.parse_secrets(" whsec_new , whsec_old,, ")
    assert secrets == ["whsec_new", "whsec_old"]
    old = signature.sign(BODY, "whsec_old", NOW)
    new = signature.sign(BODY, secrets[0], NOW)
    assert signature.verify(BODY, old, secrets, NOW) == NOW
    assert signature.verify(BODY, new, secrets, NOW) == NOW
    with pytest.raises(InvalidSignature):
        signature.verify(BODY, old, ["whsec_new"], NOW)


def test_one_matching_signature_among_several_is_enough():
    good = signature.sign(BODY, "whsec_a", NOW).split(",")[1]
    header = f"t={NOW},v1=deadbeef,{good}"
    assert signature.verify(BODY, header, ["whsec_a"], NOW) == NOW
