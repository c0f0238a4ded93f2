"""The accountant's close had its pages under /books/ while accounting had the same ledgers
under /accounting/: a bookmark of a former address moves permanently to the same page under
/accounting/, query string included."""

from flask import redirect, request, url_for

from financial_close.blueprint import bp
from gie.security import requires


@requires("accounting.view")
def former_address(path: str):
    target = url_for("accounting.index") + path
    query = request.query_string.decode()
    return redirect(f"{target}?{query}" if query else target, 301)


@bp.record_once
def _register_former_addresses(state) -> None:
    # Outside the blueprint's /accounting prefix, hence on the application itself.
    state.app.add_url_rule("/books/<path:path>", "financial_close.former_address", former_address)
