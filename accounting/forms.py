"""Forms of the accounting pages: field parsing and field-level checks only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from gie.forms import MoneyField, OnDateForm, PeriodForm, choices, encoding_field

NEW_ENTRY_LINES = 4

KIND_LABELS = {
    "asset": _l("Asset"),
    "liability": _l("Liability"),
    "equity": _l("Equity"),
    "income": _l("Income"),
    "expense": _l("Expense"),
}

JOURNAL_LABELS = {
    "VT": _l("Sales"),
    "AC": _l("Purchases"),
    "BQ": _l("Bank"),
    "CA": _l("Cash"),
    "OD": _l("Miscellaneous"),
    "AN": _l("Opening balances"),
}


class OpenLedgerForm(FlaskForm):
    code = SelectField(_l("Books of"), validators=[DataRequired()], choices=[])
    first_year = IntegerField(
        _l("First fiscal year"), validators=[DataRequired(), NumberRange(1990, 2100)]
    )


class LockDateForm(FlaskForm):
    lock_date = DateField(_l("Lock date"), validators=[Optional()])


class NewAccountForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=12)])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=200)])


class EditAccountForm(FlaskForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=200)])
    active = BooleanField(_l("Active"))


class LineForm(Form):
    account = StringField(_l("Account"), validators=[Length(max=220)])
    #: not "label" nor "description": a FormField has those of its own
    memo = StringField(_l("Label"), validators=[Length(max=200)])
    partner = StringField(_l("Partner"), validators=[Length(max=40)])
    debit = MoneyField(_l("Debit"))
    credit = MoneyField(_l("Credit"))

    @property
    def is_blank(self) -> bool:
        return (
            not (self.account.data or "").strip()
            and self.debit.data is None
            and self.credit.data is None
        )


class EntryForm(FlaskForm):
    journal = SelectField(_l("Journal"), choices=[])
    date = DateField(_l("Date"), validators=[DataRequired()])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=200)])
    reference = StringField(_l("Supporting document"), validators=[Length(max=60)])
    lines = FieldList(FormField(LineForm), min_entries=NEW_ENTRY_LINES)


class ReverseForm(FlaskForm):
    date = DateField(_l("Reversal date"), validators=[DataRequired()])


class ImportEntriesForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Choose a .csv file."))],
    )
    create_accounts = BooleanField(_l("Create the accounts these books lack"))
    encoding = encoding_field()
    allow_duplicate = BooleanField(
        _l("Import anyway: I checked that these entries are not already in the books")
    )


# Report filters: read from the query string (GET, nothing changes, so no CSRF token).

SIDES = {"customers": _l("Customers"), "suppliers": _l("Suppliers")}


class GeneralLedgerForm(PeriodForm):
    #: choices (account id, "code label") are set by the view
    account = SelectField(_l("Account"), validators=[Optional()], validate_choice=False)


class JournalForm(PeriodForm):
    journal = SelectField(_l("Journal"), validators=[Optional()], validate_choice=False)


class AgedBalanceForm(OnDateForm):
    side = SelectField(
        _l("Partners"),
        choices=choices(SIDES),
        default="customers",
        validators=[Optional()],
    )
