"""Sign-In with Ethereum (EIP-4361) messages: build, strictly parse and validate.

One file although longer than 300 lines: it is the EIP-4361 grammar, its strict parser
and the checks on a parsed message; each rule here mirrors one line of the ABNF below,
and splitting it would put the grammar in one place and its enforcement in another.

Pure Python: the EIP-55 checksum needs keccak-256, which the standard library lacks
(`hashlib.sha3_256` is the NIST variant, not keccak), so `parse_message` takes the checksum
test as a parameter and an adapter supplies it.

The grammar followed is the ABNF of EIP-4361 (scheme-less `domain`):

    domain " wants you to sign in with your Ethereum account:" LF
    address LF
    LF
    [ statement LF ]
    LF
    "URI: " uri LF
    "Version: " version LF
    "Chain ID: " chain-id LF
    "Nonce: " nonce LF
    "Issued At: " issued-at
    [ LF "Expiration Time: " expiration-time ]
    [ LF "Not Before: " not-before ]
    [ LF "Request ID: " request-id ]
    [ LF "Resources:" *( LF "- " URI ) ]

Without a statement the address is therefore followed by three LFs (two empty lines); an
empty statement gives three empty lines. There is no trailing LF.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

MAX_BYTES = 8 * 1024
MAX_LINES = 1000
CLOCK_SKEW = timedelta(seconds=60)
MAX_CHAIN_ID = 2**256 - 1

_HEADER_SUFFIX = " wants you to sign in with your Ethereum account:"
_URI_PREFIX = "URI: "
_VERSION_PREFIX = "Version: "
_CHAIN_ID_PREFIX = "Chain ID: "
_NONCE_PREFIX = "Nonce: "
_ISSUED_AT_PREFIX = "Issued At: "
_EXPIRATION_PREFIX = "Expiration Time: "
_NOT_BEFORE_PREFIX = "Not Before: "
_REQUEST_ID_PREFIX = "Request ID: "
_RESOURCES_LINE = "Resources:"
_RESOURCE_PREFIX = "- "

# Character classes of RFC 3986, spelled out so that they stay ASCII-only.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_GEN_DELIMS = r":/?#\[\]@"
_PCT = r"%[0-9A-Fa-f]{2}"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_DOMAIN_RE = re.compile(
    rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{{1,5}}))?"
)
_ADDRESS_RE = re.compile(r"0x[0-9A-Fa-f]{40}")
_STATEMENT_RE = re.compile(rf"[{_UNRESERVED}{_GEN_DELIMS}{_SUB_DELIMS} ]*")
# RFC 3986 `URI`, approximated: a scheme, then URI characters and well-formed %-escapes.
_URI_RE = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:(?:[{_UNRESERVED}{_GEN_DELIMS}{_SUB_DELIMS}]|{_PCT})*"
)
_CHAIN_ID_RE = re.compile(r"[1-9][0-9]{0,77}")
_NONCE_RE = re.compile(r"[A-Za-z0-9]{8,}")
_REQUEST_ID_RE = re.compile(rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})*")
# RFC 3339 `date-time` ("T" and "Z" may be lower case, section 5.6).
_DATE_TIME_RE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})[Tt]"
    r"(?P<h>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})(?:\.(?P<frac>[0-9]+))?"
    r"(?:(?P<z>[Zz])|(?P<sign>[+\-])(?P<oh>[0-9]{2}):(?P<om>[0-9]{2}))"
)


class SiweError(ValueError):
    """A message that does not follow EIP-4361, or that fails validation.

    `reason` is "malformed" for a parse or build error, otherwise one of "domain", "uri",
    "chain_id", "nonce", "expired", "not_yet_valid", "issued_in_future"."""

    def __init__(self, message: str, *, reason: str = "malformed") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    statement: str | None
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    expiration_time: datetime | None
    not_before: datetime | None
    request_id: str | None
    resources: tuple[str, ...]


# --- building ---------------------------------------------------------------------------


def format_time(dt: datetime) -> str:
    """RFC 3339 in UTC with `Z`; fractional seconds only when there are some."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise SiweError("timestamps must be timezone-aware")
    u = dt.astimezone(UTC)
    text = f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
    if u.microsecond:
        text += f".{u.microsecond:06d}"
    return text + "Z"


def build_message(m: SiweMessage) -> str:
    """The exact EIP-4361 text a wallet signs. Raises SiweError if a field cannot appear in a
    valid message (so that whatever this returns, `parse_message` accepts)."""
    _check_fields(m)
    lines = [f"{m.domain}{_HEADER_SUFFIX}", m.address, ""]
    if m.statement is not None:
        lines.append(m.statement)
    lines += [
        "",
        f"{_URI_PREFIX}{m.uri}",
        f"{_VERSION_PREFIX}{m.version}",
        f"{_CHAIN_ID_PREFIX}{m.chain_id}",
        f"{_NONCE_PREFIX}{m.nonce}",
        f"{_ISSUED_AT_PREFIX}{format_time(m.issued_at)}",
    ]
    if m.expiration_time is not None:
        lines.append(f"{_EXPIRATION_PREFIX}{format_time(m.expiration_time)}")
    if m.not_before is not None:
        lines.append(f"{_NOT_BEFORE_PREFIX}{format_time(m.not_before)}")
    if m.request_id is not None:
        lines.append(f"{_REQUEST_ID_PREFIX}{m.request_id}")
    if m.resources:
        lines.append(_RESOURCES_LINE)
        lines += [f"{_RESOURCE_PREFIX}{r}" for r in m.resources]
    if len(lines) > MAX_LINES:
        raise SiweError(f"the message would have more than {MAX_LINES} lines")
    text = "\n".join(lines)
    if len(text) > MAX_BYTES:
        raise SiweError(f"the message would be larger than {MAX_BYTES} bytes")
    return text


def _check_fields(m: SiweMessage) -> None:
    _check_domain(m.domain)
    if not _ADDRESS_RE.fullmatch(m.address):
        raise SiweError("invalid address")
    if m.statement is not None and not _STATEMENT_RE.fullmatch(m.statement):
        raise SiweError("invalid statement")
    _check_uri(m.uri, "URI")
    if m.version != "1":
        raise SiweError("unsupported version")
    if isinstance(m.chain_id, bool) or not 1 <= m.chain_id <= MAX_CHAIN_ID:
        raise SiweError("invalid chain id")
    if not _NONCE_RE.fullmatch(m.nonce):
        raise SiweError("the nonce must be at least 8 letters or digits")
    if m.request_id is not None and not _REQUEST_ID_RE.fullmatch(m.request_id):
        raise SiweError("invalid request id")
    for resource in m.resources:
        _check_uri(resource, "resource")


# --- parsing ----------------------------------------------------------------------------


class _Lines:
    """A cursor over the lines of a message; never indexes out of range."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._next = 0

    @property
    def number(self) -> int:
        """1-based number of the line taken last."""
        return self._next

    def peek(self) -> str | None:
        return self._lines[self._next] if self._next < len(self._lines) else None

    def take(self, what: str) -> str:
        line = self.peek()
        if line is None:
            raise SiweError(f"missing {what}")
        self._next += 1
        return line

    def take_field(self, prefix: str, what: str) -> str:
        line = self.take(what)
        if not line.startswith(prefix):
            raise SiweError(f"line {self.number}: expected {what}")
        return line[len(prefix) :]

    def take_optional(self, prefix: str) -> str | None:
        line = self.peek()
        if line is None or not line.startswith(prefix):
            return None
        self._next += 1
        return line[len(prefix) :]

    def done(self) -> bool:
        return self._next >= len(self._lines)


def parse_message(text: str, *, is_checksum_address: Callable[[str], bool]) -> SiweMessage:
    """Parse an EIP-4361 message strictly; any deviation raises SiweError (and nothing else).

    `is_checksum_address` tells whether `0x` + 40 hex digits are EIP-55 checksummed."""
    if not isinstance(text, str):
        raise SiweError("the message must be text")
    if len(text) > MAX_BYTES:
        raise SiweError(f"the message is larger than {MAX_BYTES} bytes")
    if not text.isascii():
        raise SiweError("the message must be ASCII")
    raw_lines = text.split("\n")
    if len(raw_lines) > MAX_LINES:
        raise SiweError(f"the message has more than {MAX_LINES} lines")
    lines = _Lines(raw_lines)

    domain, address = _parse_preamble(lines, is_checksum_address)
    statement = _parse_statement(lines)
    uri = lines.take_field(_URI_PREFIX, "URI")
    _check_uri(uri, "URI", f"line {lines.number}: ")
    version = lines.take_field(_VERSION_PREFIX, "Version")
    if version != "1":
        raise SiweError(f"line {lines.number}: unsupported version")
    chain_id = _parse_chain_id(lines.take_field(_CHAIN_ID_PREFIX, "Chain ID"), lines.number)
    nonce = lines.take_field(_NONCE_PREFIX, "Nonce")
    if not _NONCE_RE.fullmatch(nonce):
        raise SiweError(f"line {lines.number}: the nonce must be at least 8 letters or digits")
    issued_at = _parse_time(lines.take_field(_ISSUED_AT_PREFIX, "Issued At"), lines.number)

    expiration_time = not_before = None
    if (value := lines.take_optional(_EXPIRATION_PREFIX)) is not None:
        expiration_time = _parse_time(value, lines.number)
    if (value := lines.take_optional(_NOT_BEFORE_PREFIX)) is not None:
        not_before = _parse_time(value, lines.number)
    request_id = lines.take_optional(_REQUEST_ID_PREFIX)
    if request_id is not None and not _REQUEST_ID_RE.fullmatch(request_id):
        raise SiweError(f"line {lines.number}: invalid request id")
    resources = _parse_resources(lines)
    if not lines.done():
        raise SiweError(f"line {lines.number + 1}: unexpected line")

    return SiweMessage(
        domain=domain,
        address=address,
        statement=statement,
        uri=uri,
        version=version,
        chain_id=chain_id,
        nonce=nonce,
        issued_at=issued_at,
        expiration_time=expiration_time,
        not_before=not_before,
        request_id=request_id,
        resources=resources,
    )


def _parse_preamble(lines: _Lines, is_checksum_address: Callable[[str], bool]) -> tuple[str, str]:
    header = lines.take("header line")
    if not header.endswith(_HEADER_SUFFIX):
        raise SiweError("line 1: not a Sign-In with Ethereum message")
    domain = header[: -len(_HEADER_SUFFIX)]
    _check_domain(domain, "line 1: ")
    address = lines.take("address")
    if not _ADDRESS_RE.fullmatch(address):
        raise SiweError("line 2: the address must be 0x and 40 hexadecimal digits")
    if not is_checksum_address(address):
        raise SiweError("line 2: the address is not EIP-55 checksummed")
    if lines.take("empty line") != "":
        raise SiweError("line 3: expected an empty line")
    return domain, address


def _parse_statement(lines: _Lines) -> str | None:
    """`[ statement LF ] LF` after the first empty line: None when absent."""
    line = lines.take("statement or empty line")
    if line == "":
        if lines.peek() != "":  # no statement: the URI line follows
            return None
        lines.take("empty line")  # an empty statement
        return ""
    if not _STATEMENT_RE.fullmatch(line):
        raise SiweError(f"line {lines.number}: invalid character in the statement")
    if lines.take("empty line") != "":
        raise SiweError(f"line {lines.number}: expected an empty line after the statement")
    return line


def _parse_resources(lines: _Lines) -> tuple[str, ...]:
    if lines.peek() != _RESOURCES_LINE:
        return ()
    lines.take("Resources")
    resources: list[str] = []
    while not lines.done():
        resource = lines.take_field(_RESOURCE_PREFIX, "a resource (- URI)")
        _check_uri(resource, "resource", f"line {lines.number}: ")
        resources.append(resource)
    return tuple(resources)


def _check_domain(domain: str, where: str = "") -> None:
    if "://" in domain:
        raise SiweError(f"{where}the domain must not include a scheme")
    match = _DOMAIN_RE.fullmatch(domain)
    if match is None:
        raise SiweError(f"{where}invalid domain")
    port = match.group("port")
    if port is not None and int(port) > 65535:
        raise SiweError(f"{where}invalid port")


def _check_uri(uri: str, what: str, where: str = "") -> None:
    if not _URI_RE.fullmatch(uri):
        raise SiweError(f"{where}invalid {what}")


def _parse_chain_id(text: str, line: int) -> int:
    if not _CHAIN_ID_RE.fullmatch(text):
        raise SiweError(f"line {line}: the chain id must be a positive decimal integer")
    value = int(text)
    if value > MAX_CHAIN_ID:
        raise SiweError(f"line {line}: the chain id is too large")
    return value


def _parse_time(text: str, line: int) -> datetime:
    """An RFC 3339 date-time as an aware UTC datetime (fractions beyond microseconds are
    truncated; leap seconds are refused)."""
    match = _DATE_TIME_RE.fullmatch(text)
    if match is None:
        raise SiweError(f"line {line}: the timestamp is not RFC 3339")
    frac = (match.group("frac") or "")[:6].ljust(6, "0")
    try:
        if match.group("z") is not None:
            tz = UTC
        else:
            hours, minutes = int(match.group("oh")), int(match.group("om"))
            if hours > 23 or minutes > 59:
                raise ValueError("bad offset")
            offset = timedelta(hours=hours, minutes=minutes)
            tz = timezone(-offset if match.group("sign") == "-" else offset)
        value = datetime(
            int(match.group("y")),
            int(match.group("mo")),
            int(match.group("d")),
            int(match.group("h")),
            int(match.group("mi")),
            int(match.group("s")),
            int(frac),
            tzinfo=tz,
        )
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise SiweError(f"line {line}: invalid timestamp") from None


# --- validation -------------------------------------------------------------------------


def validate(
    m: SiweMessage,
    *,
    expected_domain: str,
    expected_uri_prefix: str,
    expected_chain_id: int,
    now: datetime,
    expected_nonce: str | None = None,
) -> None:
    """Check a parsed message against what this relying party expects at `now` (aware).

    Raises SiweError with `reason` set. The URI must equal the prefix or continue it at a
    path, query or fragment boundary (`https://a.example` does not cover
    `https://a.example.evil`). `issued_at` and `not_before` tolerate CLOCK_SKEW."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise TypeError("`now` must be timezone-aware")
    if m.domain.lower() != expected_domain.lower():
        raise SiweError("the message is for another domain", reason="domain")
    if not _uri_within(m.uri, expected_uri_prefix):
        raise SiweError("the message is for another URI", reason="uri")
    if m.chain_id != expected_chain_id:
        raise SiweError("the message is for another chain", reason="chain_id")
    if expected_nonce is not None and not hmac.compare_digest(
        m.nonce.encode(), expected_nonce.encode()
    ):
        raise SiweError("unexpected nonce", reason="nonce")
    if m.issued_at > now + CLOCK_SKEW:
        raise SiweError("the message is issued in the future", reason="issued_in_future")
    if m.expiration_time is not None and now >= m.expiration_time:
        raise SiweError("the message has expired", reason="expired")
    if m.not_before is not None and now + CLOCK_SKEW < m.not_before:
        raise SiweError("the message is not valid yet", reason="not_yet_valid")


def _uri_within(uri: str, prefix: str) -> bool:
    if not prefix or not uri.startswith(prefix):
        return False
    if len(uri) == len(prefix) or prefix[-1] in "/?#":
        return True
    return uri[len(prefix)] in "/?#"
