"""Bank statements as the platform imports them: CSV with a header naming at least
`reference`, `amount` and `currency` (other columns, such as a date or the payer, are
kept as they are and ignored). The reference may sit in a longer text: the first token
that checks as an RF reference is taken."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from app.domain.payments.reference import is_valid
from app.domain.shared.errors import InvalidValue
from app.domain.shared.money import Money, parse_amount

REQUIRED = ("reference", "amount", "currency")
MAX_LINES = 10_000
MAX_REFERENCE = 25  # RF, two check digits, 21 characters


@dataclass(frozen=True)
class StatementLine:
    line: int  # 1 is the first line after the header
    text: str  # the reference column as written
    reference: str | None  # the RF reference found in it, if any
    amount: Money | None  # None: not an amount in that currency


def _reference_in(text: str) -> str | None:
    """The longest RF reference in `text`, printed in groups or not."""
    upper = text.upper()
    start = upper.find("RF")
    while start >= 0:
        compact = ""
        for char in upper[start:]:
            if char == " ":
                continue
            if not (char.isascii() and char.isalnum()) or len(compact) == MAX_REFERENCE:
                break
            compact += char
        for end in range(len(compact), 4, -1):
            if is_valid(compact[:end]):
                return compact[:end]
        start = upper.find("RF", start + 2)
    return None


def parse_statement(content: str) -> list[StatementLine]:
    reader = csv.DictReader(io.StringIO(content))
    fields = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in fields]
    if missing:
        raise InvalidValue(
            f"the statement's header lacks {', '.join(missing)}", code="invalid_statement"
        )
    reader.fieldnames = fields
    lines: list[StatementLine] = []
    for number, row in enumerate(reader, start=1):
        if number > MAX_LINES:
            raise InvalidValue(f"more than {MAX_LINES} lines", code="invalid_statement")
        text = (row.get("reference") or "").strip()
        try:
            amount: Money | None = parse_amount(
                (row.get("amount") or "").strip(), (row.get("currency") or "").strip().upper()
            )
        except InvalidValue:
            amount = None
        lines.append(StatementLine(number, text[:200], _reference_in(text), amount))
    return lines
