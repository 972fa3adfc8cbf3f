"""Every list endpoint pages the same way: `page` (from 1) and `page_size` query
parameters, the `X-Pagination` header (`total`, `total_pages`, `first_page`,
`last_page`, `page`, `previous_page`, `next_page`) and a JSON array body.

    @blp.response(200, ThingSchema(many=True))
    @paginated(blp)
    def things(page: Page) -> tuple[Sequence[Thing], int]:
        return repository.things(offset=page.offset, limit=page.limit)  # (rows, total)

The view gets the rows its page asks for as an offset and a limit that every database
takes (a page far past the end is simply empty, even one whose offset would not fit a
64-bit integer) and returns those rows with how many there are in all. A list that is
small by nature (an organization's members, a case's checks) may be read whole and cut
with `page.of(rows)`; a list that grows with use is cut by its query."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_smorest.pagination import PaginationParameters

from app.http.common.blueprint import ApiBlueprint

MAX_OFFSET = 2**62
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int

    def of(self, rows: Sequence[T]) -> tuple[list[T], int]:
        """This page of a list read whole, and the list's length."""
        return list(rows[self.offset : self.offset + self.limit]), len(rows)


def window(params: PaginationParameters) -> tuple[int, int]:
    return min(params.first_item, MAX_OFFSET), params.page_size


def paginated(
    blp: ApiBlueprint,
) -> Callable[[Callable[..., tuple[Sequence[Any], int]]], Callable[..., list[Any]]]:
    """Page the decorated list view (put it right under `@blp.response(200, ...)`): the
    view takes a `page` keyword and returns `(rows, total)`."""

    def decorate(view: Callable[..., tuple[Sequence[Any], int]]) -> Callable[..., list[Any]]:
        @functools.wraps(view)
        def listed(
            *args: Any, pagination_parameters: PaginationParameters, **kwargs: Any
        ) -> list[Any]:
            offset, limit = window(pagination_parameters)
            rows, total = view(*args, page=Page(offset, limit), **kwargs)
            pagination_parameters.item_count = total
            return list(rows)

        paginate = blp.paginate(page_size=DEFAULT_PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
        return paginate(listed)

    return decorate
