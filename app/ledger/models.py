"""Ledger models (chart of accounts, journals, periods)."""
