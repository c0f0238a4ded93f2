"""The billing pages: customers, the catalogue, subscriptions and billing runs, invoices and
payments, statements, reminders and PDFs, all on one blueprint. Importing this package
registers every page on it."""

from billing.blueprint import bp
from billing.forms import DOCUMENT_LABELS, METHOD_LABELS, STATE_LABELS
from billing.views import catalogue, customers, documents, invoices, payments, subscriptions

__all__ = ["bp", "catalogue", "customers", "documents", "invoices", "payments", "subscriptions"]


@bp.context_processor
def labels() -> dict:
    """Labels of the stored codes, for every billing template."""
    return {"states": STATE_LABELS, "documents": DOCUMENT_LABELS, "methods": METHOD_LABELS}
