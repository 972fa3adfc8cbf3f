"""Chain adapters: web3.py over JSON-RPC (`rpc`) and an in-process EVM (`embedded`)."""
