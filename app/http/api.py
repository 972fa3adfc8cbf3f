"""The API: flask-smorest under /api/v1, the module blueprints, offline Swagger UI."""

from __future__ import annotations

import http
from pathlib import Path
from typing import Any

import flask_swagger_ui
from flask import Blueprint, Flask
from flask_smorest import Api
from flask_smorest.pagination import PaginationMetadataSchema

from app.http.analytics.pages import pages as analytics_pages
from app.http.analytics.routes import blp as analytics_blp
from app.http.audit.routes import blp as audit_blp
from app.http.auth import blp as auth_blp
from app.http.certificates.routes import blp as certificates_blp
from app.http.chain.routes import blp as chain_blp
from app.http.common.openapi import CrossCuttingResponses
from app.http.common.problems import PROBLEM_MEDIA_TYPE
from app.http.common.schemas import ProblemSchema
from app.http.credits.routes import blp as credits_blp
from app.http.credits.schedules import blp as schedules_blp
from app.http.documents.routes import blp as documents_blp
from app.http.governance.routes import blp as governance_blp
from app.http.marketplace import blp as marketplace_blp
from app.http.marketplace import orders_blp
from app.http.notifications.routes import blp as notifications_blp
from app.http.ops.routes import blp as ops_blp
from app.http.payments.invoices import blp as invoices_blp
from app.http.payments.routes import blp as payments_blp
from app.http.payments.sandbox_pages import pages as sandbox_pages
from app.http.poai.routes import blp as poai_blp
from app.http.projects.routes import blp as projects_blp
from app.http.reports.routes import blp as reports_blp
from app.http.verify.routes import pages as verify_pages

PREFIX = "/api/v1"
BLUEPRINTS = [
    ops_blp,
    auth_blp,
    projects_blp,
    documents_blp,
    poai_blp,
    credits_blp,
    marketplace_blp,
    orders_blp,
    payments_blp,
    invoices_blp,
    certificates_blp,
    audit_blp,
    reports_blp,
    notifications_blp,
    governance_blp,
    analytics_blp,
]
SWAGGER_ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"

# The chain's operations are documented under the credits tag, as they always were: a
# nested blueprint's operations carry its parent's tag.
credits_blp.nest(chain_blp)
credits_blp.nest(schedules_blp)


class PlatformApi(Api):
    """flask-smorest's Api with problem+json as the documented error body; the handlers
    themselves are installed by `app.http.common.errors`."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by `app.http.common.errors`, not flask-smorest."""

    def _register_responses(self) -> None:
        """The error responses flask-smorest documents for every status code, with the
        media type errors are sent with: `application/problem+json`."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": ProblemSchema}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "Default error response",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": ProblemSchema}},
            },
            lazy=True,
        )

    def _register_pagination_header(self) -> None:
        """`X-Pagination` carries a JSON object serialized in the header value: say so
        (documented as a bare object, clients and validators expect a structured header)."""
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata (a JSON object)",
                "content": {"application/json": {"schema": PaginationMetadataSchema}},
            },
            lazy=True,
        )


def api_config(version: str) -> dict[str, object]:
    return {
        "API_TITLE": "Carbon credit platform",
        "API_VERSION": version,
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": f"{PREFIX}/docs/assets/",
        "OPENAPI_SWAGGER_UI_CONFIG": {"tryItOutEnabled": True, "persistAuthorization": True},
    }


def register(app: Flask) -> Api:
    api = PlatformApi(app, spec_kwargs={"extra_plugins": [CrossCuttingResponses()]})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    api.spec.components.security_scheme(
        "api_key", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint.smorest, url_prefix=PREFIX)
    app.register_blueprint(sandbox_pages)
    app.register_blueprint(verify_pages)
    app.register_blueprint(analytics_pages)
    app.register_blueprint(
        Blueprint(
            "swagger_assets",
            __name__,
            static_folder=str(SWAGGER_ASSETS),
            static_url_path=f"{PREFIX}/docs/assets",
        )
    )
    return api
