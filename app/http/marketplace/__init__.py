"""Marketplace endpoints: listings, quotes and prices (`routes`), admin pricing
(`pricing`) and the live price stream (`stream`) on one blueprint; orders and their
payments (`orders`) on their own. Importing the route modules registers them."""

from app.http.marketplace import pricing, routes, stream
from app.http.marketplace.blueprint import blp
from app.http.marketplace.orders import blp as orders_blp

__all__ = ["blp", "orders_blp", "pricing", "routes", "stream"]
