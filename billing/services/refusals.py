"""How the billing services refuse: a broken billing rule, a record that does not exist."""

from flask_babel import lazy_gettext as _l

from gie.errors import DomainError, NotFound


class BillingRefused(DomainError):
    """A billing rule refused the operation; nothing changed."""


def not_found() -> NotFound:
    """What a service raises for a record that does not exist, as the pages show it."""
    return NotFound(_l("This page does not exist."))
