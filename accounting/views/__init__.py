"""The accounting pages, all on one blueprint: ledgers and the chart of accounts, entries,
reports, import and export, matching. Importing this package registers every page on it."""

from accounting.blueprint import bp
from accounting.views import entries, ledgers, matching, reports, transfers

__all__ = ["bp", "entries", "ledgers", "matching", "reports", "transfers"]
