"""Forms of the cockpit and its batch work."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField
from wtforms.validators import DataRequired


class LockPeriodForm(FlaskForm):
    lock_date = DateField(
        _l("Lock date"), validators=[DataRequired(message=_l("Give the lock date."))]
    )
    ledgers = SelectMultipleField(
        _l("Books"),
        coerce=int,
        validators=[DataRequired(message=_l("Select the books to lock."))],
    )
