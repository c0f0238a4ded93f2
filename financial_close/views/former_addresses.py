"""The accountant's close had its pages under /books/ while accounting had the same ledgers
under /accounting/: a bookmark of a former address moves permanently to the same page under
/accounting/, query string included."""

from flask import url_for

from financial_close.blueprint import bp
from gie.security import requires
from gie.web import moved_permanently


@requires("accounting.view")
def former_address(path: str):
    return moved_permanently(url_for("accounting.index") + path)


@bp.record_once
def _register_former_addresses(state) -> None:
    # Outside the blueprint's /accounting prefix, hence on the application itself.
    state.app.add_url_rule("/books/<path:path>", "financial_close.former_address", former_address)
