"""Geography adapters: country shapes for the PoAI coordinate checks (offline data)."""
