"""Notifications: in-app messages, emails (immediate or in a daily digest), SMS and push,
raised by other modules' domain events and sent by background jobs."""
