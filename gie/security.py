"""Roles, the one permission table, the view decorators and the one scoping helper."""

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gie.errors import NotFound

ROLES = ("admin", "accountant", "sales_adviser", "training_coordinator", "president")

ALL_ROLES = frozenset(ROLES)
STAFF = frozenset({"admin", "accountant", "sales_adviser", "training_coordinator"})

#: permission -> the roles that hold it. Presidents' data access is further scoped to their
#: own cooperative by `scope()`.
PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard.view": ALL_ROLES,
    "account.self": ALL_ROLES,
    "cooperatives.view": ALL_ROLES,
    "cooperatives.export": ALL_ROLES,
    "cooperatives.edit": frozenset({"admin", "accountant"}),
    "cooperatives.import": frozenset({"admin", "accountant"}),
    "accounting.view": frozenset({"admin", "accountant", "president"}),
    "accounting.edit": frozenset({"admin", "accountant"}),
    "accounting.reopen": frozenset({"admin"}),
    "billing.view": frozenset({"admin", "accountant", "president"}),
    "billing.edit": frozenset({"admin", "accountant"}),
    "commercial.catalogue": ALL_ROLES,
    "commercial.view": frozenset({"admin", "sales_adviser", "president"}),
    "commercial.edit": frozenset({"admin", "sales_adviser"}),
    "commercial.stages": frozenset({"admin"}),
    "training.view": ALL_ROLES,
    "training.book": frozenset({"admin", "training_coordinator", "president"}),
    "training.manage": frozenset({"admin", "training_coordinator"}),
    "programme.view": ALL_ROLES,
    "programme.indicators": frozenset({"admin", "accountant", "training_coordinator"}),
    "users.manage": frozenset({"admin"}),
    "audit.view": frozenset({"admin"}),
}

PUBLIC = "public"


def has_permission(user, permission: str) -> bool:
    if permission == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in PERMISSIONS[permission]


def requires(permission: str) -> Callable:
    """Declare the permission a view needs: anonymous users go to login, others get 403."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def public(view):
    """Declare a view open to anonymous visitors (login page, language switch)."""
    view.permission = PUBLIC
    return view


def is_scoped(user) -> bool:
    """Presidents see only their own cooperative; staff see every cooperative."""
    return user.role == "president"


def scope(statement: Select, model, user) -> Select:
    """Restrict a query of cooperative data to what `user` may see.

    Models name the column that carries their cooperative in `__scope_column__`.
    """
    if not is_scoped(user):
        return statement
    column = getattr(model, model.__scope_column__)
    return statement.where(column == user.cooperative_id)


def get_scoped(session: Session, model, record_id: int, user):
    """Load one record of cooperative data, or raise NotFound when it is missing or
    belongs to a cooperative the user may not see (404, never someone else's data)."""
    record = session.scalar(scope(select(model).where(model.id == record_id), model, user))
    if record is None:
        raise NotFound(_l("This page does not exist."))
    return record
