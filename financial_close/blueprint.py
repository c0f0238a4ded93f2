"""The blueprint of the accountant's close, alone in its module so that every view module
imports it without importing another."""

from flask import Blueprint

bp = Blueprint("financial_close", __name__, url_prefix="/accounting", template_folder="templates")
