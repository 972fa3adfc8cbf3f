"""Identity endpoints. Importing the route modules registers them on the blueprint."""

from app.http.auth import organizations, routes
from app.http.auth.blueprint import blp

__all__ = ["blp", "organizations", "routes"]
