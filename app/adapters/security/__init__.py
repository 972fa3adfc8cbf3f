"""Password hashing and session revocation adapters."""
