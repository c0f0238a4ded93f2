"""The composition root: the only module that knows every package."""

import time

from flask import Flask, flash, g, render_template, request, session
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, logout_user, user_logged_in
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from accounting import demo as accounting_demo
from accounting.cli import accounting_cli
from billing import demo as billing_demo
from billing.cli import billing_cli
from commercial import demo as commercial_demo
from financial_close import cli as financial_close_cli
from financial_close import demo as financial_close_demo
from financial_close import documents
from financial_close import views as financial_close_views
from gie import cli, config, db, i18n, web
from gie.audit.services import current_actor_id
from gie.errors import DomainError
from gie.security import has_permission
from gie.users import services as user_services
from programme import demo as programme_demo
from programme import views as programme_views
from programme.cli import programme_cli
from training import demo as training_demo

#: when the login was made and when the session last made a request, seconds since the epoch
SESSION_STARTED_AT = "gie_started_at"
SESSION_SEEN_AT = "gie_seen_at"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config.instance_path()))
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.update(test_config)
    trusted_proxies = app.config["GIE_TRUSTED_PROXIES"]
    if trusted_proxies > 0:
        # Behind reverse proxies every request comes from the last one: the client's address,
        # which login throttling counts failures by, is the one the trusted proxies forwarded.
        # Headers beyond that number are the client's own word and are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies)

    # Tests hand in one connection inside an outer transaction (GIE_BIND), rolled back after.
    bind = app.config.get("GIE_BIND") or db.make_engine(app.config["SQLALCHEMY_DATABASE_URL"])
    db.session.configure(bind=bind)

    # Before any route is added: routes take their converters when they are registered.
    app.url_map.converters["int"] = web.DatabaseIntConverter
    CSRFProtect(app)
    i18n.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _init_request_cycle(app)
    _init_errors(app)
    cli.init_app(app)
    for command in financial_close_cli.COMMANDS:
        accounting_cli.add_command(command)
    app.cli.add_command(accounting_cli)
    app.cli.add_command(financial_close_cli.bank_cli)
    app.cli.add_command(billing_cli)
    app.cli.add_command(programme_cli)
    app.extensions["gie_demo_loaders"] = [
        accounting_demo.load,
        billing_demo.load,
        financial_close_demo.load,
        commercial_demo.load,
        training_demo.load,
        programme_demo.load,
    ]
    # Panels shown on a cooperative's page by packages the kernel does not import.
    app.extensions["gie_cooperative_panels"] = [programme_views.cooperative_panel]
    # Supporting documents on the pages of entries, bank lines and invoices, which accounting
    # and billing render without importing financial_close: each panel takes the record and
    # returns markup; marks and conditions let the entry list flag and filter entries.
    app.extensions["gie_record_panels"] = {
        "entry": [financial_close_views.entry_panel],
        "bank_line": [financial_close_views.bank_line_panel],
        "invoice": [financial_close_views.invoice_panel],
    }
    app.extensions["gie_entry_marks"] = [documents.entry_ids_with_documents]
    app.extensions["gie_entry_conditions"] = {"missing_document": documents.lacks_document}
    app.jinja_env.globals.update(
        can=lambda permission: has_permission(current_user, permission),
        url_endpoints=frozenset(app.view_functions),
    )
    return app


def _init_login(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "users.login"
    manager.login_message = None
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(session_token: str):
        return user_services.find_by_session_token(db.session, session_token)

    @user_logged_in.connect_via(app)
    def start_session_clock(_app, user):
        session[SESSION_STARTED_AT] = session[SESSION_SEEN_AT] = time.time()

    @app.before_request
    def end_session_past_its_lifetime():
        """A login ends after `GIE_SESSION_IDLE_MINUTES` without a request and, however
        busy, `GIE_SESSION_MAX_HOURS` after it was made: a cookie taken from a browser is
        worth little for long. The times travel in the signed cookie."""
        if "_user_id" not in session:
            return
        now = time.time()
        started_at = session.get(SESSION_STARTED_AT, 0)
        seen_at = session.get(SESSION_SEEN_AT, 0)
        idle = app.config["GIE_SESSION_IDLE_MINUTES"] * 60
        lifetime = app.config["GIE_SESSION_MAX_HOURS"] * 3600
        if now - seen_at > idle or now - started_at > lifetime:
            logout_user()
            session.pop(SESSION_STARTED_AT, None)
            session.pop(SESSION_SEEN_AT, None)
            flash(_("Your session has ended: please log in again."), "error")
            return
        session[SESSION_SEEN_AT] = now


def _register_blueprints(app: Flask) -> None:
    from accounting.views import bp as accounting_bp
    from billing.views import bp as billing_bp
    from commercial.views import bp as commercial_bp
    from gie import dashboard
    from gie.audit.views import bp as audit_bp
    from gie.cooperatives.views import bp as cooperatives_bp
    from gie.users.views import bp as users_bp
    from training.views import bp as training_bp

    for blueprint in (
        dashboard.bp,
        users_bp,
        cooperatives_bp,
        audit_bp,
        accounting_bp,
        financial_close_views.bp,
        billing_bp,
        commercial_bp,
        training_bp,
        programme_views.bp,
    ):
        app.register_blueprint(blueprint)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    health.permission = "public"


def _init_request_cycle(app: Flask) -> None:
    """One place commits or rolls back: a request that succeeds commits its work."""

    @app.before_request
    def set_actor():
        g.actor_token = current_actor_id.set(
            current_user.id if current_user.is_authenticated else None
        )

    @app.teardown_request
    def forget_actor(_exc):
        token = g.pop("actor_token", None)
        if token is not None:
            current_actor_id.reset(token)

    @app.after_request
    def finish(response):
        # A refusal redirects like a success does: only the flag tells them apart.
        succeeded = response.status_code < 400 or g.get("keep_work")
        if succeeded and not g.get("refused"):
            db.session.commit()
        else:
            db.session.rollback()
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        # The books' figures must not stay in the browser's or a proxy's cache once the user
        # has left: no page seen logged in, no download, is stored (the style sheets and
        # scripts, the same for everyone, may be).
        private = current_user.is_authenticated or "Content-Disposition" in response.headers
        if private and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.teardown_appcontext
    def remove_session(_exc):
        db.session.remove()


def _init_errors(app: Flask) -> None:
    def page(status: int, message: str | None = None):
        db.session.rollback()
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        # Whatever the view or the service wrote before refusing is undone here, and nothing
        # after this point commits (the request cycle reads the flag).
        db.session.rollback()
        g.refused = True
        if error.status_code in (403, 404):
            return page(error.status_code)
        return web.show_refusal(error) or page(error.status_code, str(error.message))

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page(400, _("The form expired. Please go back, reload the page and try again."))

    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, lambda error, status=status: page(status))
