"""Rates from a daily reference-rate file in the ECB's `eurofxref.csv` format.

    Date, USD, JPY, BGN, CZK, ...,
    28 November 2025, 1.1589, 181.19, 1.9558, 24.203, ...,

A header row (`Date`, then ISO 4217 codes) and one row: the day (`28 November 2025` or
`2025-11-28`) and each currency's rate against the euro (units of the currency per euro).
Spaces around cells, a trailing comma, a byte-order mark and blank lines are fine; a rate
of `N/A` (a currency the ECB does not quote that day) leaves that currency out. Anything
else malformed is refused with a `RatesFileError` naming the file and line. The file is
read once, when the adapter is made; a new day's file is a new adapter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from app.adapters.rates.static import BUILTIN_NATIVE, PivotRates
from app.domain.shared.currencies import MINOR_UNITS

PIVOT = "EUR"
_PLAIN_RATE = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_ECB_DATE = re.compile(r"([0-9]{1,2}) ([A-Za-z]+) ([0-9]{4})", re.ASCII)
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_UNQUOTED = {"N/A", "NA", "-"}


class RatesFileError(ValueError):
    """A reference-rate file that cannot be read as one; `line` is 1-based (0: the file)."""

    def __init__(self, source: str, line: int, detail: str) -> None:
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {detail}")
        self.source = source
        self.line = line
        self.detail = detail


class _Fail:
    """Raises a `RatesFileError` at the line being read."""

    def __init__(self, source: str) -> None:
        self.source, self.line = source, 0

    def __call__(self, detail: str) -> NoReturn:
        raise RatesFileError(self.source, self.line, detail)


def _cells(text: str) -> list[str]:
    cells = [cell.strip() for cell in text.split(",")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _day(text: str) -> date | None:
    iso, ecb = _ISO_DATE.fullmatch(text), _ECB_DATE.fullmatch(" ".join(text.split()))
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if ecb and ecb[2].lower() in _MONTHS:
            return date(int(ecb[3]), _MONTHS[ecb[2].lower()], int(ecb[1]))
    except ValueError:
        return None
    return None


def _header(cells: list[str], fail: _Fail) -> list[str]:
    if not cells or cells[0].lower() != "date":
        fail("the header must start with Date")
    codes = [cell.upper() for cell in cells[1:]]
    if not codes:
        fail("the header names no currency")
    for position, code in enumerate(codes, start=2):
        if not code:
            fail(f"column {position} of the header is empty")
        if code not in MINOR_UNITS:
            fail(f"{code!r} is not an ISO 4217 currency code")
        if codes.count(code) > 1:
            fail(f"{code} appears twice in the header")
    return codes


def parse_reference_rates(text: str, source: str = "<rates>") -> tuple[date, dict[str, Decimal]]:
    """The day and the rates against the euro of a reference-rate file's text."""
    fail = _Fail(source)
    rows = [
        (number, line)
        for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1)
        if line.strip()
    ]
    if len(rows) < 2:
        fail("expected a header row and a row of rates")
    (fail.line, header_line), (rates_line_number, rates_line) = rows[0], rows[1]
    codes = _header(_cells(header_line), fail)
    fail.line = rates_line_number
    cells = _cells(rates_line)
    if len(cells) != len(codes) + 1:
        fail(f"{len(cells)} cells for the header's {len(codes) + 1} columns")
    day = _day(cells[0])
    if day is None:
        fail(f"{cells[0]!r} is not a date such as '28 November 2025' or '2025-11-28'")
    rates: dict[str, Decimal] = {}
    for code, cell in zip(codes, cells[1:], strict=True):
        if cell.upper() in _UNQUOTED:
            continue
        if _PLAIN_RATE.fullmatch(cell) is None or Decimal(cell) == 0:
            fail(f"the {code} rate {cell!r} is not a positive decimal number")
        if code == PIVOT and Decimal(cell) != 1:
            fail(f"the {PIVOT} rate against itself must be 1, not {cell}")
        rates[code] = Decimal(cell)
    if len(rows) > 2:
        fail.line = rows[2][0]
        fail("more than one row of rates (expected the day's reference rates only)")
    return day, rates


class FileRates(PivotRates):
    """The rates of one reference-rate file, against the euro, cross rates through it."""

    def __init__(self, path: str | Path, native: Mapping[str, Decimal] = BUILTIN_NATIVE) -> None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise RatesFileError(str(path), 0, f"cannot read: {error.strerror}") from None
        except UnicodeDecodeError:
            raise RatesFileError(str(path), 0, "not UTF-8 text") from None
        day, rates = parse_reference_rates(text, str(path))
        super().__init__(PIVOT, rates, day, native)
        self.path = path
