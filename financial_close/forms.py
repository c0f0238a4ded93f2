"""Forms of the accountant's close: bank accounts, formats, statements and rules; VAT;
supporting documents; year-end closing; the cockpit's batch work."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gie.forms import MoneyField, choices

# --- bank accounts, formats, statements and rules ------------------------------------------

SOURCES = {
    "csv": _l("CSV (bank format)"),
    "ofx": _l("OFX"),
    "mt940": _l("MT940 (SWIFT)"),
    "camt053": _l("CAMT.053 (ISO 20022)"),
}
STATUSES = {"open": _l("Not reconciled"), "reconciled": _l("Reconciled")}


class BankAccountForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    account_code = SelectField(_l("Account in the books"), validators=[DataRequired()])
    bank_format_id = SelectField(_l("Bank format"), coerce=str)


class BankFormatForm(FlaskForm):
    name = StringField(_l("Bank"), validators=[DataRequired(), Length(max=80)])
    delimiter = StringField(_l("Separator"), default=";", validators=[Length(max=3)])
    decimal_mark = SelectField(
        _l("Decimal mark"),
        choices=choices({",": _l("comma (1 234,56)"), ".": _l("point (1,234.56)")}),
    )
    date_format = StringField(_l("Date format"), default="%d/%m/%Y", validators=[Length(max=20)])
    encoding = SelectField(
        _l("Encoding"),
        choices=choices(
            {
                "auto": _l("Automatic (UTF-8 or Windows-1252)"),
                "utf-8": "UTF-8",
                "cp1252": "Windows-1252",
                "latin-1": "ISO-8859-1",
            }
        ),
        default="auto",
    )
    skip_lines = IntegerField(
        _l("Lines above the header"), default=0, validators=[Optional(), NumberRange(0, 50)]
    )
    date_column = StringField(_l("Date column"), validators=[Length(max=60)])
    label_column = StringField(_l("Label column"), validators=[Length(max=60)])
    amount_column = StringField(_l("Amount column (signed)"), validators=[Length(max=60)])
    debit_column = StringField(_l("Debit column (money out)"), validators=[Length(max=60)])
    credit_column = StringField(_l("Credit column (money in)"), validators=[Length(max=60)])
    balance_column = StringField(_l("Balance column"), validators=[Length(max=60)])
    reference_column = StringField(_l("Reference column"), validators=[Length(max=60)])


class ImportStatementForm(FlaskForm):
    file = FileField(_l("Statement file"), validators=[FileRequired()])
    source = SelectField(_l("Kind of file"), choices=choices(SOURCES))
    bank_format_id = SelectField(_l("Bank format"), coerce=str)
    opening_balance = MoneyField(_l("Opening balance (files without balances)"))
    closing_balance = MoneyField(_l("Closing balance (files without balances)"))


class EntryFromLineForm(FlaskForm):
    account_code = StringField(_l("Counterpart account"), validators=[DataRequired()])
    label = StringField(_l("Entry label"), validators=[Length(max=200)])
    remember = BooleanField(_l("Remember: a label containing the text below goes to this account"))
    pattern = StringField(_l("Label contains"), validators=[Length(max=80)])


class BankRuleForm(FlaskForm):
    pattern = StringField(_l("Label contains"), validators=[Length(max=80)])
    account_code = StringField(_l("Counterpart account"), validators=[Length(max=12)])
    label = StringField(_l("Entry label"), validators=[Length(max=200)])
    all_ledgers = BooleanField(_l("For all ledgers"))


# --- VAT -----------------------------------------------------------------------------------


PERIOD_LABELS = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly")}
REGIME_LABELS = {
    "collection": _l("Collection (VAT due when paid)"),
    "debit": _l("Debit (VAT due when invoiced)"),
}

STATUS_LABELS = {
    "validated": _l("Validated"),
    "to_do": _l("To do"),
    "not_ended": _l("Not ended"),
    "before_books": _l("Before the books"),
}


class VatSettingsForm(FlaskForm):
    vat_period = SelectField(_l("Filing frequency"), choices=choices(PERIOD_LABELS))
    vat_regime = SelectField(_l("Regime"), choices=choices(REGIME_LABELS))

    vat_collected_account = StringField(
        _l("VAT collected (with its sub-accounts)"), validators=[InputRequired(), Length(max=12)]
    )
    vat_deductible_account = StringField(
        _l("Deductible VAT (with its sub-accounts)"), validators=[InputRequired(), Length(max=12)]
    )
    vat_fixed_assets_account = StringField(
        _l("Deductible VAT on fixed assets"), validators=[InputRequired(), Length(max=12)]
    )
    vat_credit_account = StringField(
        _l("VAT credit carried forward"), validators=[InputRequired(), Length(max=12)]
    )
    vat_due_account = StringField(_l("VAT due"), validators=[InputRequired(), Length(max=12)])


class ValidateReturnForm(FlaskForm):
    confirm_left_out = BooleanField(
        _l("I have checked the lines above: validate the return without them.")
    )


# --- supporting documents ------------------------------------------------------------------


class DocumentForm(FlaskForm):
    file = FileField(
        _l("Document (PDF, JPEG, PNG or WebP, 10 MB at most)"), validators=[FileRequired()]
    )


# --- year-end closing ----------------------------------------------------------------------


class CloseYearForm(FlaskForm):
    fiscal_year_id = HiddenField(validators=[DataRequired()])
    force = BooleanField(
        _l("Close even with unreconciled bank lines or entries without a supporting document")
    )


class ReopenYearForm(FlaskForm):
    fiscal_year_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason for reopening"),
        validators=[
            DataRequired(message=_l("Give the reason for reopening.")),
            Length(max=500),
        ],
    )


# --- the cockpit's batch work --------------------------------------------------------------


class LockPeriodForm(FlaskForm):
    lock_date = DateField(
        _l("Lock date"), validators=[DataRequired(message=_l("Give the lock date."))]
    )
    ledgers = SelectMultipleField(
        _l("Books"),
        coerce=int,
        validators=[DataRequired(message=_l("Select the books to lock."))],
    )


def lock_period_form(ledger_ids: list[int]) -> LockPeriodForm:
    """The lock form of the cockpit, offering the ledgers it lists."""
    form = LockPeriodForm()
    form.ledgers.choices = [(ledger_id, str(ledger_id)) for ledger_id in ledger_ids]
    return form
