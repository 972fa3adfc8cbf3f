"""Cryptography adapters: Ethereum signature recovery and address checksums."""
