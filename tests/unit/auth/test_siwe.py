"""EIP-4361 messages: building, strict parsing and validation (pure domain, fake checksum)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.domain.auth.siwe import (
    MAX_BYTES,
    SiweError,
    SiweMessage,
    build_message,
    parse_message,
    validate,
)

SPEC_ADDRESS = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
VITALIK = "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045"
CHECKSUMMED = frozenset({SPEC_ADDRESS, VITALIK})

# The example message of the EIP-4361 text.
SPEC_MESSAGE = (
    "service.org wants you to sign in with your Ethereum account:\n"
    "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n"
    "\n"
    "I accept the ServiceOrg Terms of Service: https://service.org/tos\n"
    "\n"
    "URI: https://service.org/login\n"
    "Version: 1\n"
    "Chain ID: 1\n"
    "Nonce: 32891756\n"
    "Issued At: 2021-09-30T16:25:24Z\n"
    "Resources:\n"
    "- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n"
    "- https://example.com/my-web2-claim.json"
)

ISSUED = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def fake_is_checksum(address: str) -> bool:
    """Stands in for the keccak-based EIP-55 test: knows a fixed set of addresses."""
    return address in CHECKSUMMED


def parse(text: str) -> SiweMessage:
    return parse_message(text, is_checksum_address=fake_is_checksum)


def message(**changes: Any) -> SiweMessage:
    base = SiweMessage(
        domain="platform.example:8443",
        address=VITALIK,
        statement="Sign in to the carbon credit platform.",
        uri="https://platform.example:8443",
        version="1",
        chain_id=31337,
        nonce="abcDEF123456",
        issued_at=ISSUED,
        expiration_time=None,
        not_before=None,
        request_id=None,
        resources=(),
    )
    return replace(base, **changes)


def minimal_text() -> str:
    return build_message(message(statement=None))


# --- building and round trips --------------------------------------------------------------


def test_spec_example_message_parses_into_its_fields():
    m = parse(SPEC_MESSAGE)
    assert m == SiweMessage(
        domain="service.org",
        address=SPEC_ADDRESS,
        statement="I accept the ServiceOrg Terms of Service: https://service.org/tos",
        uri="https://service.org/login",
        version="1",
        chain_id=1,
        nonce="32891756",
        issued_at=datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC),
        expiration_time=None,
        not_before=None,
        request_id=None,
        resources=(
            "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
            "https://example.com/my-web2-claim.json",
        ),
    )


def test_spec_example_message_is_rebuilt_byte_for_byte():
    assert build_message(parse(SPEC_MESSAGE)) == SPEC_MESSAGE


def test_message_with_statement_has_the_eip_4361_layout():
    assert build_message(message()) == (
        "platform.example:8443 wants you to sign in with your Ethereum account:\n"
        f"{VITALIK}\n"
        "\n"
        "Sign in to the carbon credit platform.\n"
        "\n"
        "URI: https://platform.example:8443\n"
        "Version: 1\n"
        "Chain ID: 31337\n"
        "Nonce: abcDEF123456\n"
        "Issued At: 2026-01-31T12:00:00Z"
    )


def test_message_without_statement_has_two_empty_lines_after_the_address():
    text = minimal_text()
    assert f"{VITALIK}\n\n\nURI: https://platform.example:8443\n" in text
    assert parse(text) == message(statement=None)


def test_empty_statement_is_kept_apart_from_an_absent_one():
    text = build_message(message(statement=""))
    assert f"{VITALIK}\n\n\n\nURI: " in text
    assert parse(text).statement == ""


def test_round_trip_with_statement():
    m = message()
    assert parse(build_message(m)) == m


def test_round_trip_with_all_optional_fields_and_resources():
    m = message(
        expiration_time=ISSUED + timedelta(minutes=10),
        not_before=ISSUED + timedelta(seconds=1, microseconds=250_000),
        request_id="req-42:abc@x",
        resources=("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "urn:x:y"),
    )
    text = build_message(m)
    assert text.endswith(
        "Issued At: 2026-01-31T12:00:00Z\n"
        "Expiration Time: 2026-01-31T12:10:00Z\n"
        "Not Before: 2026-01-31T12:00:01.250000Z\n"
        "Request ID: req-42:abc@x\n"
        "Resources:\n"
        "- ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi\n"
        "- urn:x:y"
    )
    assert parse(text) == m


def test_round_trip_with_only_some_optional_fields():
    m = message(statement=None, request_id="", resources=("https://a.example/",))
    assert parse(build_message(m)) == m


def test_build_writes_timestamps_in_utc_with_z():
    m = message(issued_at=datetime(2026, 1, 31, 14, 0, tzinfo=timezone(timedelta(hours=2))))
    assert "Issued At: 2026-01-31T12:00:00Z" in build_message(m)


@pytest.mark.parametrize(
    "changes",
    [
        {"domain": "https://platform.example"},
        {"domain": "bad domain"},
        {"address": "0x1234"},
        {"statement": "two\nlines"},
        {"uri": "not a uri"},
        {"version": "2"},
        {"chain_id": 0},
        {"nonce": "short"},
        {"issued_at": datetime(2026, 1, 31, 12, 0)},  # naive
        {"request_id": "a b"},
        {"resources": ("https://ok.example", "no scheme")},
        {"resources": tuple(f"https://e.example/{i}" for i in range(1000))},
    ],
)
def test_build_refuses_fields_that_cannot_appear_in_a_valid_message(changes):
    with pytest.raises(SiweError):
        build_message(message(**changes))


# --- parsing: accepted variants --------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-01-31T12:00:00Z", datetime(2026, 1, 31, 12, 0, tzinfo=UTC)),
        ("2026-01-31T12:00:00.5Z", datetime(2026, 1, 31, 12, 0, 0, 500_000, tzinfo=UTC)),
        ("2026-01-31T12:00:00.123456789Z", datetime(2026, 1, 31, 12, 0, 0, 123_456, tzinfo=UTC)),
        ("2026-01-31T14:30:00+02:30", datetime(2026, 1, 31, 12, 0, tzinfo=UTC)),
        ("2026-01-31T07:00:00-05:00", datetime(2026, 1, 31, 12, 0, tzinfo=UTC)),
        ("2026-01-31t12:00:00z", datetime(2026, 1, 31, 12, 0, tzinfo=UTC)),
    ],
)
def test_parse_accepts_rfc_3339_timestamps_and_returns_aware_utc(stamp, expected):
    text = minimal_text().replace("Issued At: 2026-01-31T12:00:00Z", f"Issued At: {stamp}")
    issued = parse(text).issued_at
    assert issued == expected
    assert issued.utcoffset() == timedelta(0)


@pytest.mark.parametrize("domain", ["localhost", "127.0.0.1:5000", "[::1]:8080", "a-b.example"])
def test_parse_accepts_host_and_port_domains(domain):
    assert parse(build_message(message(domain=domain))).domain == domain


def test_parse_accepts_an_empty_resources_list():
    assert parse(minimal_text() + "\nResources:").resources == ()


# --- parsing: malformed input ----------------------------------------------------------------


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def without_line(text: str, index: int) -> str:
    lines = lines_of(text)
    del lines[index]
    return "\n".join(lines)


def with_line(text: str, index: int, value: str) -> str:
    lines = lines_of(text)
    lines[index] = value
    return "\n".join(lines)


FULL = build_message(
    message(
        expiration_time=ISSUED + timedelta(minutes=10),
        not_before=ISSUED,
        request_id="r1",
        resources=("https://a.example/1",),
    )
)


@pytest.mark.parametrize("index", range(len(lines_of(minimal_text()))))
def test_parse_refuses_a_message_with_a_missing_line(index):
    with pytest.raises(SiweError):
        parse(without_line(minimal_text(), index))


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (0, "platform.example wants you to sign in with your Ethereum account"),
        (0, "https://platform.example wants you to sign in with your Ethereum account:"),
        (0, "user@platform.example wants you to sign in with your Ethereum account:"),
        (0, "platform.example:99999 wants you to sign in with your Ethereum account:"),
        (0, " wants you to sign in with your Ethereum account:"),
        (1, VITALIK.lower()),  # valid hex, not checksummed
        (1, "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA9604"),  # 39 digits
        (1, "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA960455"),  # 41 digits
        (1, "0xg8dA6BF26964aF9D7eEd9e03E53415D37aA96045"),
        (1, "d8dA6BF26964aF9D7eEd9e03E53415D37aA96045"),
        (1, f" {VITALIK}"),
        (3, 'a statement with a "quote"'),
        (3, "a statement with 100%"),
        (5, "URI: platform.example"),
        (5, "URI:https://platform.example:8443"),
        (5, "uri: https://platform.example:8443"),
        (6, "Version: 2"),
        (6, "Version: 01"),
        (7, "Chain ID: 0"),
        (7, "Chain ID: 01"),
        (7, "Chain ID: -1"),
        (7, "Chain ID: 1.0"),
        (7, "Chain ID: 0x1"),
        (7, "Chain ID: " + "9" * 100),
        (8, "Nonce: abc1234"),
        (8, "Nonce: abcd-1234"),
        (8, "Nonce: "),
        (9, "Issued At: 2026-01-31"),
        (9, "Issued At: 2026-01-31T12:00:00"),
        (9, "Issued At: 2026-01-31 12:00:00Z"),
        (9, "Issued At: 2026-02-30T12:00:00Z"),
        (9, "Issued At: 2026-01-31T24:00:00Z"),
        (9, "Issued At: 2026-01-31T12:00:60Z"),
        (9, "Issued At: 2026-01-31T12:00:00+24:00"),
        (9, "Issued At: 2026-01-31T12:00:00+0200"),
        (9, "Issued At: 2026-01-31T12:00:00.Z"),
        (9, "Issued At: 0000-01-01T00:00:00Z"),
        (9, "Issued At: 0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
        (9, "Issued At: 9999-12-31T23:59:59-01:00"),  # after year 9999 in UTC
        (9, "Issued At: 1700000000"),
    ],
)
def test_parse_refuses_malformed_lines(index, value):
    text = build_message(message())
    assert parse(text)  # the untouched message is fine
    with pytest.raises(SiweError):
        parse(with_line(text, index, value))


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (10, "Expiration Time: tomorrow"),
        (11, "Not Before: 2026-13-01T00:00:00Z"),
        (12, "Request ID: has space"),
        (12, "Request ID: a/b"),
        (14, "- not a uri"),
        (14, "-https://a.example/1"),
        (14, "https://a.example/1"),
    ],
)
def test_parse_refuses_malformed_optional_lines(index, value):
    with pytest.raises(SiweError):
        parse(with_line(FULL, index, value))


def test_parse_refuses_optional_fields_out_of_order():
    lines = lines_of(FULL)
    lines[10], lines[11] = lines[11], lines[10]
    with pytest.raises(SiweError):
        parse("\n".join(lines))


def test_parse_refuses_a_repeated_optional_field():
    lines = lines_of(FULL)
    lines.insert(11, lines[10])
    with pytest.raises(SiweError):
        parse("\n".join(lines))


@pytest.mark.parametrize(
    "suffix",
    ["\n", "\n\n", "\nHello: world", "\nResources:\nResources:", " ", "\r"],
)
def test_parse_refuses_trailing_garbage(suffix):
    with pytest.raises(SiweError):
        parse(FULL + suffix)


def test_parse_refuses_unknown_lines_between_fields():
    lines = lines_of(minimal_text())
    lines.insert(6, "Extra: field")
    with pytest.raises(SiweError):
        parse("\n".join(lines))


def test_parse_refuses_crlf_line_endings():
    with pytest.raises(SiweError):
        parse(minimal_text().replace("\n", "\r\n"))


def test_parse_refuses_missing_empty_line_after_statement():
    with pytest.raises(SiweError):
        parse(build_message(message()).replace(".\n\nURI:", ".\nURI:"))


def test_parse_refuses_too_many_empty_lines_around_the_statement():
    with pytest.raises(SiweError):
        parse(minimal_text().replace(f"{VITALIK}\n\n\n", f"{VITALIK}\n\n\n\n\n"))


def test_parse_refuses_huge_input():
    huge = build_message(message(resources=("https://a.example/" + "x" * 3000,) * 2))
    assert len(huge) < MAX_BYTES
    with pytest.raises(SiweError):
        parse(huge + "\n- https://a.example/" + "x" * 3000)


def test_parse_refuses_more_than_a_thousand_lines():
    text = minimal_text() + "\nResources:" + "\n- a:b" * 1000
    assert len(text) < MAX_BYTES
    with pytest.raises(SiweError):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "\n" * 20,
        "wants you to sign in with your Ethereum account:",
        SPEC_MESSAGE.replace("ServiceOrg", "ServiceÖrg"),
        SPEC_MESSAGE.replace("Nonce: 32891756", "Nonce: 3289175\uff16"),  # full-width digit
        SPEC_MESSAGE.replace("Chain ID: 1", "Chain ID: \u0661"),  # Arabic-Indic digit
        SPEC_MESSAGE.replace("service.org wants", "sérvice.org wants"),
        SPEC_MESSAGE + "\u2028",
        SPEC_MESSAGE.replace("\n", "\x00", 1),
    ],
)
def test_parse_refuses_empty_and_non_ascii_input(text):
    with pytest.raises(SiweError):
        parse(text)


def test_parse_refuses_non_text_input():
    with pytest.raises(SiweError):
        parse(SPEC_MESSAGE.encode())  # type: ignore[arg-type]


def test_parse_errors_are_reported_as_malformed():
    with pytest.raises(SiweError) as caught:
        parse("nonsense")
    assert caught.value.reason == "malformed"
    assert isinstance(caught.value, ValueError)


def test_parse_raises_only_siwe_errors_on_mutated_messages():
    import random

    rng = random.Random(4361)
    alphabet = "\n :-.0xZT+/@9aA\u00e9\x00"
    for _ in range(3000):
        chars = list(FULL if rng.random() < 0.5 else SPEC_MESSAGE)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars) + 1)
            if chars and rng.random() < 0.5:
                del chars[min(i, len(chars) - 1)]
            else:
                chars.insert(i, rng.choice(alphabet))
        try:
            parsed = parse("".join(chars))
        except SiweError:
            continue
        assert parse(build_message(parsed)) == parsed


# --- validation --------------------------------------------------------------------------


def check(m: SiweMessage, now: datetime = ISSUED, **expected: Any) -> None:
    kwargs: dict[str, Any] = {
        "expected_domain": "platform.example:8443",
        "expected_uri_prefix": "https://platform.example:8443",
        "expected_chain_id": 31337,
        "now": now,
    } | expected
    validate(m, **kwargs)


def reason_of(m: SiweMessage, now: datetime = ISSUED, **expected: Any) -> str:
    with pytest.raises(SiweError) as caught:
        check(m, now, **expected)
    return caught.value.reason


def test_validate_accepts_a_message_that_matches_everything():
    m = message(expiration_time=ISSUED + timedelta(minutes=10), not_before=ISSUED)
    check(m, ISSUED + timedelta(minutes=5), expected_nonce="abcDEF123456")


def test_validate_compares_the_domain_case_insensitively():
    check(message(domain="Platform.Example:8443"))


def test_validate_refuses_another_domain():
    assert reason_of(message(domain="evil.example")) == "domain"
    assert reason_of(message(domain="platform.example")) == "domain"  # port differs


@pytest.mark.parametrize(
    "uri", ["https://platform.example:8443/login", "https://platform.example:8443?x=1"]
)
def test_validate_accepts_uris_under_the_expected_prefix(uri):
    check(message(uri=uri))


@pytest.mark.parametrize(
    "uri",
    [
        "https://evil.example",
        "http://platform.example:8443",
        "https://platform.example:84430",
        "https://platform.example:8443.evil.example",
        "https://platform.example:8443@evil.example",
    ],
)
def test_validate_refuses_uris_outside_the_expected_prefix(uri):
    assert reason_of(message(uri=uri)) == "uri"


def test_validate_refuses_another_chain():
    assert reason_of(message(chain_id=1)) == "chain_id"


def test_validate_refuses_an_unexpected_nonce():
    assert reason_of(message(), expected_nonce="zzzzzzzz1234") == "nonce"


def test_validate_skips_the_nonce_check_without_an_expected_nonce():
    check(message(nonce="anything123"))


def test_validate_refuses_an_expired_message():
    m = message(expiration_time=ISSUED + timedelta(minutes=10))
    check(m, ISSUED + timedelta(minutes=10) - timedelta(microseconds=1))
    assert reason_of(m, ISSUED + timedelta(minutes=10)) == "expired"


def test_validate_refuses_a_message_not_valid_yet_beyond_the_clock_skew():
    m = message(not_before=ISSUED + timedelta(minutes=5))
    check(m, ISSUED + timedelta(minutes=4))  # 60 s of skew allowed
    assert reason_of(m, ISSUED + timedelta(minutes=3, seconds=59)) == "not_yet_valid"


def test_validate_refuses_a_message_issued_in_the_future_beyond_the_clock_skew():
    check(message(), ISSUED - timedelta(seconds=60))
    assert reason_of(message(), ISSUED - timedelta(seconds=61)) == "issued_in_future"


def test_validate_accepts_a_parsed_message_with_offsets():
    text = build_message(message(expiration_time=ISSUED + timedelta(hours=1))).replace(
        "Expiration Time: 2026-01-31T13:00:00Z", "Expiration Time: 2026-01-31T14:00:00+01:00"
    )
    m = parse(text)
    check(m, ISSUED + timedelta(minutes=59))
    assert reason_of(m, ISSUED + timedelta(hours=1)) == "expired"


def test_validate_requires_an_aware_now():
    with pytest.raises(TypeError):
        check(message(), datetime(2026, 1, 31, 12, 0))
