"""The accounting blueprint: ledgers, chart of accounts, entries; reports in report_views."""

from flask import Blueprint

bp = Blueprint("accounting", __name__, url_prefix="/accounting", template_folder="templates")

from accounting import report_views  # noqa: E402,F401  (registers the report pages on bp)
