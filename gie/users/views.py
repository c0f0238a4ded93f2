from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from gie import db
from gie.cooperatives import reports as cooperative_reports
from gie.forms import ConfirmForm, choices, optional_int
from gie.security import public, requires
from gie.users import reports, services
from gie.users.forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from gie.users.models import LOCALES
from gie.web import keep_work_of_this_refusal, refusal_returns_to, refusal_shows, safe_next

bp = Blueprint("users", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = services.authenticate(
            db.session,
            form.email.data,
            form.password.data,
            address=_client_address(),
            limits=services.LoginLimits.from_config(current_app.config),
        )
        if attempt.user is None:
            keep_work_of_this_refusal()  # the failure stays counted and audited
            flash(str(attempt.refusal), "error")
            return render_template("users/login.html", form=form), 401
        user = attempt.user
        # A language picked on the login page becomes the account's language.
        chosen_locale = session.get("locale")
        if chosen_locale:
            services.set_locale(db.session, user, chosen_locale)
        session.clear()
        login_user(user)
        return redirect(safe_next(request.args.get("next"), url_for("dashboard.home")))
    return render_template("users/login.html", form=form)


def _client_address() -> str:
    """The client's address; behind `GIE_TRUSTED_PROXIES` proxies, the one they forwarded
    (ProxyFix, see gie/app.py). A test client may have none."""
    return request.remote_addr or ""


@bp.post("/logout")
@requires("account.self")
def logout():
    services.log_out(db.session, current_user, address=_client_address())
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for(".login"))


@bp.post("/language")
@public
def set_language():
    locale = request.form.get("locale", "fr")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            services.set_locale(db.session, current_user, locale)
    return redirect(safe_next(request.form.get("next"), url_for("dashboard.home")))


@bp.route("/account/password", methods=["GET", "POST"])
@requires("account.self")
def change_password():
    form = ChangePasswordForm()

    def page() -> str:
        return render_template("users/password.html", form=form, confirm=ConfirmForm())

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    refusal_shows(lambda _error: page(), form)
    services.change_password(
        db.session, current_user, current=form.current_password.data, new=form.password.data
    )
    # Every other session ended with the old password; this one goes on under the new token.
    login_user(current_user._get_current_object())
    flash(_("Your password was changed."), "success")
    return redirect(url_for("dashboard.home"))


@bp.post("/account/sessions/end")
@requires("account.self")
def end_my_sessions():
    if ConfirmForm().validate_on_submit():
        services.log_out(db.session, current_user, address=_client_address())
        logout_user()
        session.clear()
        flash(_("You are logged out on every device."), "success")
        return redirect(url_for(".login"))
    return redirect(url_for(".change_password"))


def _cooperative_choices():
    return choices([(0, "—"), *cooperative_reports.choices(db.session)])


@bp.get("/admin/users/")
@requires("users.manage")
def user_list():
    return render_template(
        "users/list.html",
        users=reports.list_users(db.session),
        roles=ROLE_LABELS,
        confirm=ConfirmForm(),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires("users.manage")
def user_new():
    form = NewUserForm()
    form.cooperative_id.choices = _cooperative_choices()

    def page() -> str:
        return render_template("users/edit.html", form=form, user=None)

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    refusal_shows(lambda _error: page(), form)
    user = services.create_user(
        db.session,
        email=form.email.data,
        name=form.name.data,
        role=form.role.data,
        password=form.password.data,
        cooperative_id=form.cooperative_id.data or None,
    )
    flash(_("Account %(email)s created.", email=user.email), "success")
    return redirect(url_for(".user_list"))


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires("users.manage")
def user_edit(user_id: int):
    user = services.get_user(db.session, user_id)
    form = UserForm(obj=user)
    form.cooperative_id.choices = _cooperative_choices()
    if request.method == "GET":
        form.cooperative_id.data = user.cooperative_id or 0
    reset = ResetPasswordForm(prefix="reset")

    def page() -> str:
        return render_template(
            "users/edit.html", form=form, user=user, reset=reset, confirm=ConfirmForm()
        )

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    refusal_shows(lambda _error: page(), form)
    services.update_user(
        db.session,
        user_id,
        email=form.email.data,
        name=form.name.data,
        role=form.role.data,
        cooperative_id=form.cooperative_id.data or None,
    )
    flash(_("Account %(email)s saved.", email=user.email), "success")
    return redirect(url_for(".user_list"))


@bp.post("/admin/users/<int:user_id>/password")
@requires("users.manage")
def user_reset_password(user_id: int):
    reset = ResetPasswordForm(prefix="reset")
    if reset.validate_on_submit():
        refusal_returns_to(url_for(".user_edit", user_id=user_id))
        user = services.reset_password(db.session, user_id, reset.password.data)
        flash(_("New password set for %(email)s.", email=user.email), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/active")
@requires("users.manage")
def user_set_active(user_id: int):
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        refusal_returns_to(url_for(".user_list"))
        user = services.set_active(db.session, user_id, active, actor=current_user)
        if active:
            flash(_("Account %(email)s reactivated.", email=user.email), "success")
        else:
            flash(_("Account %(email)s deactivated.", email=user.email), "success")
    return redirect(url_for(".user_list"))


@bp.post("/admin/users/<int:user_id>/sessions/end")
@requires("users.manage")
def user_end_sessions(user_id: int):
    if ConfirmForm().validate_on_submit():
        user = services.end_sessions_of(db.session, user_id)
        flash(_("%(email)s is logged out on every device.", email=user.email), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.get("/admin/users/locks")
@requires("users.manage")
def login_locks():
    return render_template(
        "users/locks.html",
        locks=reports.current_login_locks(
            db.session, services.LoginLimits.from_config(current_app.config)
        ),
        confirm=ConfirmForm(),
    )


@bp.post("/admin/users/locks/lift")
@requires("users.manage")
def lift_login_lock():
    if ConfirmForm().validate_on_submit():
        refusal_returns_to(url_for(".login_locks"))
        address = request.form.get("address", "")
        user_id = request.form.get("user_id", type=optional_int)
        services.lift_login_lock(db.session, address=address, user_id=user_id)
        flash(_("The lock on %(address)s is lifted.", address=address), "success")
    return redirect(url_for(".login_locks"))
