"""Governance: members propose and vote on chain through the operator."""
