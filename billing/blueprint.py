"""The billing blueprint, apart from its pages so that every page module can register on it
without importing another."""

from flask import Blueprint

bp = Blueprint("billing", __name__, url_prefix="/billing", template_folder="templates")
