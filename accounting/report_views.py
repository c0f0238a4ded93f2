"""Report pages of the accounting blueprint (trial balance, general ledger, CPC, bilan...)."""

from accounting.views import bp  # noqa: F401
