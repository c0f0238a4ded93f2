"""The pages of the accountant's close: importing this package registers every view module
on `bp`, and hands the composition root the supporting-document panels of other packages'
record pages."""

from financial_close.blueprint import bp
from financial_close.views import (
    bank,
    batch,
    closing,
    cockpit,
    documents,
    former_addresses,
    rules,
    vat,
)
from financial_close.views.documents import bank_line_panel, entry_panel, invoice_panel

__all__ = [
    "bank",
    "bank_line_panel",
    "batch",
    "bp",
    "closing",
    "cockpit",
    "documents",
    "entry_panel",
    "former_addresses",
    "invoice_panel",
    "rules",
    "vat",
]
