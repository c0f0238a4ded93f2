"""The accounting blueprint, alone in its module so that every page module registers on it
without importing another."""

from flask import Blueprint

bp = Blueprint("accounting", __name__, url_prefix="/accounting", template_folder="templates")
