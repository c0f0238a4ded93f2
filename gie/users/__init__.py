"""Accounts, roles, login and its throttling."""
