"""Payments of orders: intents through a provider, outcomes from its verified webhooks,
refunds."""
