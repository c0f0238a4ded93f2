"""The commercial blueprint: the pipeline (leads, stages, activities, analysis) here; the
product catalogue and the buyers in product_views, on the same blueprint."""

from flask import Blueprint

bp = Blueprint("commercial", __name__, url_prefix="/commercial", template_folder="templates")

from commercial import product_views  # noqa: E402,F401  (registers its pages)
