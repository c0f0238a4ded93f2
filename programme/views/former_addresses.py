"""The programme's pages were under /press/ before they took the programme's name: a
bookmark of a former address moves permanently to the same page under /programme/."""

from flask import url_for

from gie.security import requires
from gie.web import moved_permanently
from programme.blueprint import bp


@requires("programme.view")
def former_address(path: str = ""):
    return moved_permanently(url_for("programme.directory") + path)


@bp.record_once
def _register_former_addresses(state) -> None:
    # Outside the blueprint's /programme prefix, hence on the application itself.
    for rule in ("/press/", "/press/<path:path>"):
        state.app.add_url_rule(rule, "programme.former_address", former_address)
