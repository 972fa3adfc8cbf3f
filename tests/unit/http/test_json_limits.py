"""The JSON depth scan and the bounds of free-form objects, without an app."""

from __future__ import annotations

import json
import sys

import marshmallow as ma
import pytest

from app.http.common.json_limits import (
    MAX_DEPTH,
    SAFE_RECURSION_LIMIT,
    FreeFormObject,
    cap_recursion_limit,
    json_depth,
)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[["', 0),
        ("[]", 1),
        ('{"a": [1, {"b": "]]]}"}]}', 3),
        ('["\\"[", ["x"]]', 2),
        ("[" * 20_000 + "]" * 20_000, 20_000),
        ('"unterminated \\" [[[', 0),
    ],
)
def test_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert json_depth(text.encode()) == depth


def test_depth_agrees_with_the_parser_on_real_documents() -> None:
    doc = {"a": [{"b": [1, 2, {"c": "{[}"}]}], "d": {"e": {}}}
    assert json_depth(json.dumps(doc).encode()) == 5


def test_an_unterminated_string_full_of_escaped_quotes_is_scanned_in_linear_time() -> None:
    # Quadratic backtracking here would take hours; the scan must answer at once.
    assert json_depth(b'"' + b'\\"' * 500_000) == 0


def test_the_recursion_limit_comes_back_down_whatever_raised_it() -> None:
    before = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(100_000)
        cap_recursion_limit()
        assert sys.getrecursionlimit() == SAFE_RECURSION_LIMIT
    finally:
        sys.setrecursionlimit(before)


class _Holder(ma.Schema):
    metadata = FreeFormObject(max_depth=3, max_keys=3, max_items=3, max_string=5, max_bytes=100)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": {"b": {"c": {}}}}, "nested deeper than 3 levels"),
        ({"a": 1, "b": 2, "c": 3, "d": 4}, "more than 3 keys"),
        ({"a": [1, 2, 3, 4]}, "more than 3 items"),
        ({"a": "toolong"}, "longer than 5 characters"),
        ({"a": ["abcde"] * 3, "b": ["abcde"] * 3, "c": [["abcde"] * 3] * 3}, "than 100 bytes"),
        ([1], "must be a JSON object"),
    ],
)
def test_free_form_objects_are_bounded(value: object, message: str) -> None:
    with pytest.raises(ma.ValidationError) as caught:
        _Holder().load({"metadata": value})
    assert message in str(caught.value.messages["metadata"])


def test_a_free_form_object_within_bounds_loads_as_given() -> None:
    value = {"a": {"b": [1, "x", None]}, "c": 2.5}
    assert _Holder().load({"metadata": value}) == {"metadata": value}


def test_the_body_limit_is_below_what_the_parser_could_survive() -> None:
    assert MAX_DEPTH < 100 < SAFE_RECURSION_LIMIT
