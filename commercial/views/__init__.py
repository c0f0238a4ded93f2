"""The commercial pages: importing this package registers every view module on `bp`."""

from commercial.blueprint import bp
from commercial.views import analysis, buyers, pipeline, products, trade_fair

__all__ = ["analysis", "bp", "buyers", "pipeline", "products", "trade_fair"]
