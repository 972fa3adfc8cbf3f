"""flask-smorest's `Blueprint` with typed decorators.

flask-smorest ships no type information: to mypy its decorators are `Any`, and every view
under one would be untyped. A module's blueprint is an `ApiBlueprint` instead: the same
decorators, handed on to flask-smorest unchanged, with their types stated here once. The
flask-smorest blueprint itself, `smorest`, is what `app.http.api` registers.

`route` keeps the function it is given; `arguments`, `response`, `alt_response` and
`paginate` wrap it in one with another signature, so what they return is typed as a view,
not as the function they were given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import marshmallow as ma
from flask_smorest import Blueprint

F = TypeVar("F", bound=Callable[..., Any])
View = Callable[..., Any]
ViewDecorator = Callable[[View], View]
SchemaArg = type[ma.Schema] | ma.Schema


class ApiBlueprint:
    def __init__(self, name: str, import_name: str, *, description: str) -> None:
        self.smorest = Blueprint(name, import_name, description=description)

    def nest(self, child: ApiBlueprint) -> None:
        """Serve `child`'s operations in this blueprint, documented under its tag."""
        self.smorest.register_blueprint(child.smorest)

    def route(self, rule: str, *, methods: list[str] | None = None) -> Callable[[F], F]:
        options = {} if methods is None else {"methods": methods}
        decorator: Callable[[F], F] = self.smorest.route(rule, **options)
        return decorator

    def arguments(self, schema: SchemaArg, *, location: str = "json") -> ViewDecorator:
        decorator: ViewDecorator = self.smorest.arguments(schema, location=location)
        return decorator

    def response(self, status: int, schema: SchemaArg | None = None) -> ViewDecorator:
        decorator: ViewDecorator = self.smorest.response(status, schema)
        return decorator

    def alt_response(
        self,
        status: int,
        *,
        schema: SchemaArg | None = None,
        description: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> ViewDecorator:
        decorator: ViewDecorator = self.smorest.alt_response(
            status,
            schema=schema,
            description=description,
            content_type=content_type,
            headers=headers,
        )
        return decorator

    def paginate(self, *, page_size: int, max_page_size: int) -> ViewDecorator:
        decorator: ViewDecorator = self.smorest.paginate(
            page_size=page_size, max_page_size=max_page_size
        )
        return decorator
