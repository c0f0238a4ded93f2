"""The commercial blueprint, alone in its module so that every view module imports it
without importing another."""

from flask import Blueprint

bp = Blueprint("commercial", __name__, url_prefix="/commercial", template_folder="templates")
