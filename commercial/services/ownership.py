"""Who changes a buyer, a product or a lead: an admin every one, a sales adviser the ones
they own (created, or given them by an admin); every other user reads them only."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from gie.errors import PermissionDenied, ValidationError
from gie.users.models import User

#: the roles that may own a commercial record
OWNER_ROLES = ("sales_adviser", "admin")


def can_edit(user, record) -> bool:
    """An admin edits every record; an adviser only their own; nobody else any."""
    if user is None:
        return True  # the system itself (demo, imports run by code)
    role = getattr(user, "role", None)
    return role == "admin" or (role == "sales_adviser" and record.owner_id == user.id)


def check_edit(user, record, message) -> None:
    """Refuse (403) a user who may not change `record`, with `message`."""
    if not can_edit(user, record):
        raise PermissionDenied(message)


def assigns_owners(user) -> bool:
    """Only an admin (or the system) gives a record to an adviser."""
    return user is None or getattr(user, "role", None) == "admin"


def owner_of_new_record(session: Session, actor, chosen_owner_id: int | None) -> int | None:
    """An adviser owns what they create; an admin gives it to the adviser chosen, or to none
    (then only the admins edit it)."""
    if not assigns_owners(actor):
        return actor.id
    return checked_owner(session, chosen_owner_id)


def checked_owner(session: Session, owner_id: int | None) -> int | None:
    """The owner an admin chose: an active adviser or admin, or none."""
    if not owner_id:
        return None
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or owner.role not in OWNER_ROLES:
        message = _l("Choose an active sales adviser.")
        raise ValidationError(message, field_errors={"owner_id": [message]})
    return owner.id
