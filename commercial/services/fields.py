"""What the commercial services share when they refuse a form: its field errors, together."""

from flask_babel import lazy_gettext as _l

from gie.errors import ValidationError


def refuse_field_errors(errors: dict) -> None:
    """Raise ValidationError carrying every field's messages, when there is any."""
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
