"""Bank transfer references as ISO 11649 creditor references ("RF" references): `RF`, two
check digits, then up to 21 letters and digits. The check digits are those of IBANs
(ISO 7064 mod 97-10), so a reference with one digit or one letter mistyped for another,
or two neighbouring digits swapped, does not check and cannot match another payment."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O, U to misread
BODY_LENGTH = 12
_SHAPE = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")


def _numeric(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def with_check_digits(body: str) -> str:
    check = 98 - _numeric(f"{body}RF00") % 97
    return f"RF{check:02d}{body}"


def new_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return with_check_digits(body)


def normalize(text: str) -> str:
    """Upper case without spaces, as references are printed in groups of four."""
    return "".join(text.split()).upper()


def is_valid(text: str) -> bool:
    reference = normalize(text)
    if not _SHAPE.fullmatch(reference):
        return False
    return _numeric(reference[4:] + reference[:4]) % 97 == 1


def grouped(reference: str) -> str:
    """`RF18 5390 0754 7034` as it is printed."""
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))
