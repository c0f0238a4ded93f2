"""The programme's blueprint, alone in its module so that every view module imports it
without importing another."""

from flask import Blueprint

bp = Blueprint("programme", __name__, url_prefix="/programme", template_folder="templates")
