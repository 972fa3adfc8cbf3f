"""The one rule for typed text: forbidden characters, NFC, trimming, lengths, and the
OpenAPI pattern that states the same rule."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from app.domain.documents.model import MAX_FILENAME, safe_filename
from app.domain.shared.errors import InvalidValue
from app.domain.shared.text import TextRule, clean_text, remove_unsafe

FORBIDDEN = [
    "\x00",
    "\x07",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9f",
    "\u200b",
    "\u2028",
    "\u2029",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2060",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
    "\ufff9",
    "\ud800",
]
ALLOWED = ["a", "é", "ß", "中", "\u0627", "😀", "👩\u200d💻", "\u200c", "\u00ad", "€", "\ufffd"]


def _refusal(value: object, **rule: object) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        clean_text(value, field="name", **{"max_length": 50, **rule})  # type: ignore[arg-type]
    assert caught.value.code == "validation_failed"
    assert list(caught.value.errors) == ["name"]
    return caught.value


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("multiline", [False, True])
def test_control_bidi_and_invisible_characters_are_refused(char, multiline):
    error = _refusal(f"Mata{char} Atlântica", multiline=multiline)
    assert f"U+{ord(char):04X}" in error.errors["name"][0]
    assert "position 5" in error.errors["name"][0]


@pytest.mark.parametrize("text", ALLOWED)
def test_letters_symbols_emoji_and_joiners_are_text(text):
    assert clean_text(text, max_length=50) == unicodedata.normalize("NFC", text)


def test_a_single_line_refuses_tabs_and_newlines():
    for text in ["two\nlines", "tab\there", "crlf\r\nhere"]:
        _refusal(text)


def test_multiline_text_keeps_tabs_and_newlines_and_turns_crlf_into_lf():
    text = "First line\r\n\tindented\nlast"
    assert clean_text(text, max_length=50, multiline=True) == "First line\n\tindented\nlast"


def test_a_lone_carriage_return_is_refused_even_in_multiline_text():
    _refusal("old\rmac", multiline=True)


def test_text_is_normalised_to_nfc_and_trimmed():
    assert clean_text("  Cafe\u0301 ", max_length=50) == "Café"
    assert clean_text("\u212b", max_length=50) == "\u00c5"  # ANGSTROM SIGN -> Å
    assert clean_text("\n\nbody\n\n", max_length=50, multiline=True) == "body"


def test_blank_text_is_refused_only_where_it_must_not_be():
    assert clean_text("   ", max_length=50) == ""
    error = _refusal(" \u3000 ", blank=False)
    assert error.errors["name"] == ["must not be blank"]


def test_the_limit_is_named_and_counts_characters_not_bytes():
    assert clean_text("é" * 50, max_length=50) == "é" * 50
    error = _refusal("x" * 51)
    assert "at most 50 characters" in error.errors["name"][0]


def test_the_limit_holds_both_as_sent_and_once_normalised():
    # as sent: 60 characters (decomposed), even if NFC would make 30 of them
    _refusal("e\u0301" * 30)
    # once normalised: U+FB2C is one character as sent, three in NFC
    assert len(unicodedata.normalize("NFC", "\ufb2c")) == 3
    error = _refusal("\ufb2c" * 20)
    assert "NFC" in error.errors["name"][0]


def test_only_strings_are_text():
    _refusal(42)
    _refusal(None)


def test_a_rule_without_a_field_reports_in_its_detail():
    with pytest.raises(InvalidValue) as caught:
        TextRule(5).clean("toolong")
    assert caught.value.errors == {}
    assert "at most 5 characters" in caught.value.detail


def test_remove_unsafe_drops_what_no_text_may_hold():
    assert remove_unsafe("in\x00voice\u202efdp.exe\u200b") == "invoicefdp.exe"


RULES = [
    TextRule(1000, multiline=multiline, blank=blank)
    for multiline in (False, True)
    for blank in (False, True)
]
SAMPLES = [
    "",
    " ",
    "\n",
    "\r\n",
    "\t",
    " \u3000\u00a0",
    "a",
    " a ",
    "a\nb",
    "a\r\nb",
    "a\rb",
    "a\tb",
    "\r\n x \r\n",
    "line\n",
    "Mata Atlântica",
    "e\u0301",
    "\u202eevil",
    "nul\x00",
    "😀",
    *FORBIDDEN[:-1],
    *ALLOWED,
]


def _accepts(rule: TextRule, value: str) -> bool:
    try:
        rule.clean(value)
    except InvalidValue:
        return False
    return True


@pytest.mark.parametrize("rule", RULES, ids=repr)
@pytest.mark.parametrize("value", SAMPLES, ids=ascii)
def test_the_openapi_pattern_admits_exactly_what_the_rule_accepts(rule, value):
    assert (re.fullmatch(rule.pattern, value) is not None) == _accepts(rule, value)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_the_pattern_reads_the_same_to_a_json_schema_validator(rule):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": rule.pattern})
    for value in SAMPLES:
        assert validator.is_valid(value) == _accepts(rule, value), ascii(value)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_pattern_and_rule_agree_on_every_character_of_the_basic_plane(rule):
    pattern = re.compile(rule.pattern)
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # no JSON Schema pattern can name a surrogate; the rule refuses them
        char = chr(code)
        # alone, and after a letter (where a rule refusing blank text judges the character)
        for value in (char, f"x{char}"):
            assert (pattern.fullmatch(value) is not None) == _accepts(rule, value), hex(code)


def test_the_spaces_are_those_strip_removes_beyond_the_basic_plane_too():
    rule = TextRule(10, blank=False)
    for code in range(0x10000, sys.maxunicode + 1, 97):
        char = chr(code)
        assert (re.fullmatch(rule.pattern, char) is not None) == _accepts(rule, char), hex(code)
    assert not any(chr(code).isspace() for code in range(0x10000, sys.maxunicode + 1))


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/design.pdf", "design.pdf"),
        ("C:\\Users\\ada\\report.pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("nul\x00name.pdf", "nulname.pdf"),
        ("Cafe\u0301.pdf", "Café.pdf"),
        ("  ..  ", "document"),
        (None, "document"),
    ],
)
def test_a_filename_is_a_clean_display_name(sent, kept):
    assert safe_filename(sent) == kept


def test_a_long_filename_is_cut_before_its_extension():
    kept = safe_filename("a" * 5000 + ".pdf")
    assert len(kept) == MAX_FILENAME
    assert kept.endswith("a.pdf")


def test_a_long_filename_without_a_short_extension_is_cut_at_the_limit():
    assert safe_filename("a." + "b" * 5000) == ("a." + "b" * 5000)[:MAX_FILENAME]
    assert safe_filename("a" * 300) == "a" * MAX_FILENAME
