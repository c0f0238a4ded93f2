"""The financial_close blueprint: bank statements and reconciliation, VAT returns, year-end
closing, supporting documents, the accountant's cockpit and batch work. Each area's pages
live in their own module, on this blueprint."""

from flask import Blueprint

bp = Blueprint("financial_close", __name__, url_prefix="/books", template_folder="templates")

from financial_close import (  # noqa: E402,F401  (register their pages)
    bank_views,
    closing_views,
    cockpit_views,
    document_views,
    vat_views,
)
