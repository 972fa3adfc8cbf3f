"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from app.domain.platform.services import readiness
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform
from app.http.common.limiter import limiter
from app.http.ops import schemas as s

blp = ApiBlueprint("ops", __name__, description="Health and readiness")
limiter.exempt(blp.smorest)


@blp.route("/health")
@blp.response(200, s.HealthSchema)
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@blp.route("/ready")
@blp.response(200, s.ReadySchema)
@blp.alt_response(503, schema=s.ReadySchema, description="A dependency does not answer")
def ready() -> tuple[dict[str, Any], int]:
    """Readiness: the database, the broker and every configured adapter answer."""
    result = readiness(platform().probes)
    return {"ready": result.ready, "checks": result.checks}, 200 if result.ready else 503
