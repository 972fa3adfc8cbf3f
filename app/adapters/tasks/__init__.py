"""Dramatiq adapters: the broker, the task queue port and the embedded worker."""
