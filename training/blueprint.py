"""The training blueprint, apart from its pages so that every page module can register on it
without importing another."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training", template_folder="templates")
