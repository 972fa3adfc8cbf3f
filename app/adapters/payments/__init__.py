"""Payment adapters of the marketplace."""
