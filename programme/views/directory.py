"""Programme pages, read-only (GET routes only): the directory of actors and projects, an
actor with its relations both ways, a project with its cooperatives; and the panel of a
cooperative's projects shown on the cooperative's page."""

from flask import abort, render_template
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from gie import db, i18n
from gie.security import has_permission, requires
from programme import reports
from programme.blueprint import bp

KIND_LABELS = {
    "regional_council": _l("Regional council"),
    "programme": _l("Programme"),
    "ess_house": _l("House of the social and solidarity economy"),
    "observatory": _l("Observatory"),
    "platform": _l("Platform of actors"),
    "collective_enterprise": _l("Collective enterprise"),
    "chamber": _l("Chamber of the social and solidarity economy"),
    "ngo": _l("Non-governmental organisation"),
}
#: relation kind -> (as the source reads it, as the target reads it)
RELATION_LABELS = {
    "co_runs": (_l("co-runs"), _l("co-run by")),
    "axis_of": (_l("axis of"), _l("has as an axis")),
    "supports": (_l("supports"), _l("supported by")),
    "trained": (_l("trained"), _l("trained by")),
    "partner_of": (_l("partner of"), _l("has as a partner")),
    "member_of": (_l("member of"), _l("has as a member")),
    "feeds_data": (_l("feeds data to"), _l("receives data from")),
}
ROLE_LABELS = {"lead": _l("Consortium lead"), "member": _l("Consortium member")}
COUNTRY_LABELS = {"MA": _l("Morocco"), "FR": _l("France")}


def _text(record, name: str) -> str:
    """A record's text in the page's language: the Arabic one in Arabic, when given."""
    if i18n.language() == "ar":
        return getattr(record, f"{name}_ar", "") or getattr(record, name)
    return getattr(record, name)


def _started(actor) -> str:
    if actor.started_on is None:
        return ""
    if actor.started_precision == "year":
        return str(actor.started_on.year)
    if actor.started_precision == "month":
        return format_date(actor.started_on, "LLLL y")
    return format_date(actor.started_on, "long")


@bp.context_processor
def _helpers():
    return {
        "text": _text,
        "started": _started,
        "actor_kinds": KIND_LABELS,
        "relation_labels": RELATION_LABELS,
        "project_roles": ROLE_LABELS,
        "countries": COUNTRY_LABELS,
    }


@bp.get("/")
@requires("programme.view")
def directory():
    return render_template(
        "programme/directory.html",
        groups=reports.directory(db.session),
        projects=reports.projects(db.session),
    )


@bp.get("/actors/<int:actor_id>")
@requires("programme.view")
def actor_detail(actor_id: int):
    actor = reports.actor(db.session, actor_id)
    if actor is None:
        abort(404)
    return render_template(
        "programme/actor.html",
        actor=actor,
        funded=reports.funded_projects(db.session, actor.id),
    )


@bp.get("/projects/<int:project_id>")
@requires("programme.view")
def project_detail(project_id: int):
    project = reports.project(db.session, project_id)
    if project is None:
        abort(404)
    return render_template(
        "programme/project.html",
        project=project,
        members=reports.project_members(db.session, project.id, current_user),
    )


def cooperative_panel(cooperative) -> Markup | str:
    """The projects a cooperative takes part in, for its page (registered by the composition
    root in `gie_cooperative_panels`); nothing when it has none or the user may not see the
    programme."""
    if not has_permission(current_user, "programme.view"):
        return ""
    places = reports.cooperative_projects(db.session, cooperative.id)
    if not places:
        return ""
    return Markup(render_template("programme/_cooperative_panel.html", places=places, **_helpers()))
