"""The rows a list endpoint's `page` and `page_size` ask for, as an offset and a limit
that every database takes: a page far past the end is simply empty, even one whose
offset would not fit a 64-bit integer."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

MAX_OFFSET = 2**62


def window(params: PaginationParameters) -> tuple[int, int]:
    return min(params.first_item, MAX_OFFSET), params.page_size
