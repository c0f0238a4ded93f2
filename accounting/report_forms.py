"""Filter forms of the report pages: read from the query string (GET, nothing changes, so
no CSRF token), parsed and checked by WTForms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional, ValidationError

from gie.forms import choices

SIDES = {"customers": _l("Customers"), "suppliers": _l("Suppliers")}


class PeriodForm(Form):
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class GeneralLedgerForm(PeriodForm):
    #: choices (account id, "code label") are set by the view
    account = SelectField(_l("Account"), validators=[Optional()], validate_choice=False)


class JournalForm(PeriodForm):
    journal = SelectField(_l("Journal"), validators=[Optional()], validate_choice=False)


class OnDateForm(Form):
    on = DateField(_l("On"), validators=[Optional()])


class AgedBalanceForm(OnDateForm):
    side = SelectField(
        _l("Partners"),
        choices=choices(SIDES),
        default="customers",
        validators=[Optional()],
    )
