"""What every blueprint shares: errors, request context, rate limits, adapters access."""
