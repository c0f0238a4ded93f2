"""The accounting blueprint: ledgers, chart of accounts, entries. Report pages live in
report_views, file import and export pages in transfer_views, on the same blueprint."""

from flask import Blueprint

bp = Blueprint("accounting", __name__, url_prefix="/accounting", template_folder="templates")

from accounting import report_views, transfer_views  # noqa: E402,F401  (register their pages)
