"""The programme's pages were under /press/ before they took the programme's name: a
bookmark of a former address moves permanently to the same page under /programme/."""

from flask import redirect, request, url_for

from gie.security import requires
from programme.blueprint import bp


@requires("programme.view")
def former_address(path: str = ""):
    target = url_for("programme.directory") + path
    query = request.query_string.decode()
    return redirect(f"{target}?{query}" if query else target, 301)


@bp.record_once
def _register_former_addresses(state) -> None:
    # Outside the blueprint's /programme prefix, hence on the application itself.
    for rule in ("/press/", "/press/<path:path>"):
        state.app.add_url_rule(rule, "programme.former_address", former_address)
