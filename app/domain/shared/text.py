"""Text that people type: one rule for every name, title, description or reason.

A text is refused when it holds a character that is not text but steers or hides it:
control characters (Unicode category Cc, NUL included), lone surrogates, the line and
paragraph separators U+2028/U+2029, the bidirectional embedding, override and isolate
controls (U+202A-U+202E, U+2066-U+2069), and the invisible format characters U+200B,
U+2060-U+206F, U+FEFF and U+FFF9-U+FFFB. Multi-line text also takes tabs and newlines
(a CRLF counts as one newline). What is kept is normalised to NFC and trimmed of
surrounding whitespace, and it is at most `max_length` characters both as sent and once
normalised (NFC may lengthen a text, rarely; such a text is refused rather than cut).

`TextRule.pattern` is the same rule as a JSON Schema (ECMA-262) pattern, for the OpenAPI
document: a text the pattern and `maxLength` admit is accepted, except one that NFC
lengthens past the limit, and one the pattern refuses is refused."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.domain.shared.errors import InvalidValue

# Forbidden in every text, as the inside of a character class (both Python and ECMA-262
# read these escapes alike). Surrogates are added for Python only: no JSON Schema engine
# accepts them in a pattern, and no UTF-8 request can carry one outside a `\u` escape.
_FORMATS = (
    r"\u007f-\u009f"  # DEL and the C1 controls (Cc)
    r"\u200b"  # zero-width space
    r"\u2028-\u202e"  # line and paragraph separators; bidi embeddings and overrides
    r"\u2060-\u206f"  # word joiner, invisible operators, bidi isolates, deprecated formats
    r"\ufeff"  # zero-width no-break space (byte order mark)
    r"\ufff9-\ufffb"  # interlinear annotation controls
)
_FORBIDDEN_SINGLE = r"\u0000-\u001f" + _FORMATS  # every Cc: tab, newline, CR included
# Multi-line text: the same less tab (U+0009) and newline (U+000A); a carriage return
# only as part of CRLF (which the pattern spells out, and the search below looks ahead for).
_FORBIDDEN_MULTI = r"\u0000-\u0008\u000b-\u001f" + _FORMATS
_FORBIDDEN_MULTI_BUT_CR = r"\u0000-\u0008\u000b\u000c\u000e-\u001f" + _FORMATS
_SURROGATES = r"\ud800-\udfff"
# What `str.strip()` removes among the characters allowed (checked by a test).
_SPACE_SINGLE = r"\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACE_MULTI = r"\u0009\u000a" + _SPACE_SINGLE


def _pattern(*, multiline: bool, blank: bool) -> str:
    forbidden = _FORBIDDEN_MULTI if multiline else _FORBIDDEN_SINGLE
    space = _SPACE_MULTI if multiline else _SPACE_SINGLE
    allowed = rf"(?:[^{forbidden}]|\r\n)" if multiline else f"[^{forbidden}]"
    if blank:
        return f"^{allowed}*$"
    blank_run = rf"(?:[{space}]|\r\n)" if multiline else f"[{space}]"
    return f"^{blank_run}*[^{forbidden}{space}]{allowed}*$"


_SINGLE = re.compile(f"[{_FORBIDDEN_SINGLE}{_SURROGATES}]")
_MULTI = re.compile(rf"\r(?!\n)|[{_FORBIDDEN_MULTI_BUT_CR}{_SURROGATES}]")


@dataclass(frozen=True, slots=True)
class TextRule:
    """How long a text may be, whether it may span lines, whether it may be blank."""

    max_length: int
    multiline: bool = False
    blank: bool = True

    @property
    def pattern(self) -> str:
        return _pattern(multiline=self.multiline, blank=self.blank)

    def clean(self, value: object, *, field: str | None = None) -> str:
        """The text normalised (NFC, CRLF as LF, trimmed), or `InvalidValue` saying why
        not (naming `field` in its errors when given)."""
        return clean_text(
            value,
            max_length=self.max_length,
            multiline=self.multiline,
            blank=self.blank,
            field=field,
        )


def clean_text(
    value: object,
    *,
    max_length: int,
    multiline: bool = False,
    blank: bool = True,
    field: str | None = None,
) -> str:
    """`value` as stored text: NFC, CRLF as LF, no surrounding whitespace; refused
    (`InvalidValue`, code `validation_failed`) when it is not a string, is longer than
    `max_length` characters before or after normalising, holds a forbidden character, or
    is blank where `blank` is false."""
    if not isinstance(value, str):
        raise _invalid("must be a string", field)
    if len(value) > max_length:
        raise _invalid(f"at most {max_length} characters (this one has {len(value)})", field)
    found = (_MULTI if multiline else _SINGLE).search(value)
    if found is not None:
        raise _invalid(
            f"{_describe(found.group()[0])} at position {found.start() + 1} is not allowed: "
            + (
                "text without control characters other than tab and newline"
                if multiline
                else "text on one line, without control characters"
            )
            + ", bidirectional controls or invisible formatting characters",
            field,
        )
    text = value.replace("\r\n", "\n") if multiline else value
    text = unicodedata.normalize("NFC", text).strip()
    if len(text) > max_length:
        raise _invalid(
            f"at most {max_length} characters once normalised to Unicode NFC "
            f"(this one has {len(text)})",
            field,
        )
    if not text and not blank:
        raise _invalid("must not be blank", field)
    return text


def clean_query(value: object, *, max_length: int, field: str | None = None) -> str:
    """Search text: what `clean_text` refuses is read as a space here (a query is matched,
    never stored or shown), then NFC so that it matches the stored text, and trimmed;
    `InvalidValue` only for a non-string or one longer than `max_length`."""
    if not isinstance(value, str):
        raise _invalid("must be a string", field)
    if len(value) > max_length:
        raise _invalid(f"at most {max_length} characters (this one has {len(value)})", field)
    return unicodedata.normalize("NFC", _SINGLE.sub(" ", value)).strip()


def remove_unsafe(value: str) -> str:
    """`value` without the characters no text may hold (for names the platform keeps
    whatever was sent, such as a file's name)."""
    return _SINGLE.sub("", value)


_UNNAMED = {"Cc": "a control character", "Cs": "a lone surrogate"}


def _describe(char: str) -> str:
    category = unicodedata.category(char)
    name = unicodedata.name(char, "") or f"({_UNNAMED.get(category, 'an unassigned character')})"
    return f"U+{ord(char):04X} {name}"


def _invalid(message: str, field: str | None) -> InvalidValue:
    if field is None:
        return InvalidValue(message, code="validation_failed")
    return InvalidValue(f"{field}: {message}", code="validation_failed", errors={field: [message]})
