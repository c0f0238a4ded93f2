"""Forms of the billing pages: field parsing and field-level checks only; the services hold
the rules. Labels of the stored codes live here too, translated at display."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gie.csvfiles import parse_decimal
from gie.forms import MoneyField, choices

KIND_LABELS = {
    "member": _l("Member cooperative"),
    "non_member": _l("Non-member"),
    "business": _l("Business"),
    "funder": _l("Funder"),
}
#: the kinds a customer created by hand may have (members come from the registry)
OTHER_KINDS = {key: KIND_LABELS[key] for key in ("non_member", "business", "funder")}
CATEGORY_LABELS = {
    "bookkeeping": _l("Bookkeeping"),
    "commercial_support": _l("Commercial support"),
    "training": _l("Training"),
    "membership_fee": _l("Membership fee"),
    "other": _l("Other"),
}
UNIT_LABELS = {"month": _l("Month"), "hour": _l("Hour"), "day": _l("Day"), "flat": _l("Flat")}
PERIOD_LABELS = {"monthly": _l("Monthly"), "quarterly": _l("Quarterly"), "yearly": _l("Yearly")}
SUBSCRIPTION_STATUS_LABELS = {
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "ended": _l("Ended"),
}
METHOD_LABELS = {"transfer": _l("Bank transfer"), "cheque": _l("Cheque"), "cash": _l("Cash")}
STATE_LABELS = {
    "draft": _l("Draft"),
    "issued": _l("Issued"),
    "partially_paid": _l("Partially paid"),
    "paid": _l("Paid"),
    "cancelled": _l("Cancelled"),
}
DOCUMENT_LABELS = {"invoice": _l("Invoice"), "credit_note": _l("Credit note")}


class DecimalText(StringField):
    """A number as people type it (`1,5` or `1.5`); empty means none."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            self.data = parse_decimal(text)
        except ValueError:
            raise ValueError(_l("Not a number: %(text)s", text=text)) from None

    def _value(self) -> str:
        if isinstance(self.data, Decimal):
            return format(self.data.normalize(), "f")
        return self.data or ""


def parse_month(text: str | None) -> date | None:
    """`2026-03` -> 1 March 2026; None when it is not a month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


# --- customers and catalogue -------------------------------------------------------------------


class CustomerForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    kind = SelectField(_l("Kind"), choices=choices(OTHER_KINDS))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[Length(max=200)])
    address = TextAreaField(_l("Address"))
    ice = StringField(_l("ICE"), validators=[Length(max=20)])
    if_number = StringField(_l("Tax id (IF)"), validators=[Length(max=20)])
    rc_number = StringField(_l("Trade register (RC)"), validators=[Length(max=30)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    payment_terms_days = IntegerField(
        _l("Payment terms (days)"), default=60, validators=[InputRequired(), NumberRange(min=0)]
    )
    active = BooleanField(_l("Active"), default=True)


class MemberCustomerForm(FlaskForm):
    """A member cooperative's identity is the registry's: only these are set here."""

    email = StringField(_l("Email"), validators=[Length(max=254)])
    payment_terms_days = IntegerField(
        _l("Payment terms (days)"), default=60, validators=[InputRequired(), NumberRange(min=0)]
    )
    active = BooleanField(_l("Active"), default=True)


class ServiceForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=200)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[Length(max=200)])
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS))
    unit = SelectField(_l("Unit"), choices=choices(UNIT_LABELS))
    #: choices (the VAT codes in force) are set by the view
    vat_code = SelectField(_l("VAT"), choices=[])
    income_account = StringField(
        _l("Income account"), default="7124", validators=[DataRequired(), Length(max=12)]
    )
    public_price = MoneyField(_l("Public price excl. VAT"), validators=[DataRequired()])
    member_price = MoneyField(_l("Member price excl. VAT"), validators=[DataRequired()])
    valid_from = DateField(_l("Prices valid from"), validators=[DataRequired()])


class PriceForm(FlaskForm):
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    public_price = MoneyField(_l("Public price excl. VAT"), validators=[DataRequired()])
    member_price = MoneyField(_l("Member price excl. VAT"), validators=[DataRequired()])


# --- subscriptions and billing runs ------------------------------------------------------------


class SubscriptionForm(FlaskForm):
    #: "12" for a customer, "coop-5" for a member cooperative not billed yet (the view makes
    #: it a customer); choices set by the view
    customer_id = SelectField(_l("Customer"), choices=[], validators=[DataRequired()])
    service_id = SelectField(_l("Service"), choices=[], coerce=int)
    quantity = DecimalText(_l("Quantity"), default=Decimal("1"), validators=[DataRequired()])
    period = SelectField(_l("Billing period"), choices=choices(PERIOD_LABELS))
    start_on = DateField(_l("Start"), validators=[DataRequired()])
    end_on = DateField(_l("End"), validators=[Optional()])
    price_override = MoneyField(_l("Price excl. VAT (instead of the catalogue's)"))
    discount_percent = DecimalText(_l("Discount (%)"))
    funder_id = SelectField(_l("Funder"), choices=[], validate_choice=False)
    funder_share_percent = DecimalText(_l("Funder's share (%)"))


class SubscriptionStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(SUBSCRIPTION_STATUS_LABELS))
    end_on = DateField(_l("Last day"), validators=[Optional()])


class MonthForm(Form):
    """The month of a billing run, read from the query string (GET) or the form (POST)."""

    month = StringField(_l("Month"), validators=[DataRequired(), Length(max=7)])


class RunForm(FlaskForm):
    month = HiddenField(validators=[DataRequired()])


class IssueMonthForm(FlaskForm):
    month = HiddenField(validators=[DataRequired()])
    on = DateField(_l("Issue date"), validators=[DataRequired()])


# --- invoices ----------------------------------------------------------------------------------


class InvoiceLineForm(Form):
    service_id = SelectField(_l("Service"), choices=[], validate_choice=False)
    #: not "description": a FormField has one of its own
    text = StringField(_l("Description"), validators=[Length(max=300)])
    quantity = DecimalText(_l("Quantity"))
    unit_price = MoneyField(_l("Unit price excl. VAT"))
    subscription_id = HiddenField()

    @property
    def is_blank(self) -> bool:
        return not self.service_id.data and self.quantity.data is None


class InvoiceForm(FlaskForm):
    customer_id = SelectField(_l("Customer"), choices=[], coerce=int)
    notes = TextAreaField(_l("Notes printed on the invoice"))
    lines = FieldList(FormField(InvoiceLineForm), min_entries=3)


class IssueForm(FlaskForm):
    issue_date = DateField(_l("Issue date"), validators=[DataRequired()])


CREDIT_MODES = {"full": _l("The whole invoice"), "amount": _l("An amount excl. VAT")}


class CreditNoteForm(FlaskForm):
    credit_date = DateField(_l("Date of the credit note"), validators=[DataRequired()])
    mode = RadioField(_l("Credit"), choices=choices(CREDIT_MODES), default="full")
    amount = MoneyField(_l("Amount excl. VAT"))
    reason = StringField(_l("Reason"), validators=[Length(max=300)])


class InvoiceFilterForm(Form):
    state = SelectField(_l("State"), validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("Document"), validators=[Optional()], validate_choice=False)
    customer_id = SelectField(_l("Customer"), validators=[Optional()], validate_choice=False)
    date_from = DateField(_l("Issued from"), validators=[Optional()])
    date_to = DateField(_l("Issued until"), validators=[Optional()])
    period = StringField(_l("Billed month"), validators=[Optional(), Length(max=7)])


# --- payments ----------------------------------------------------------------------------------


class AllocationForm(Form):
    invoice_id = HiddenField()
    amount = MoneyField(_l("Amount allocated"))


class PaymentForm(FlaskForm):
    customer_id = SelectField(_l("Customer"), choices=[], coerce=int)
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    amount = MoneyField(_l("Amount"), validators=[DataRequired()])
    method = SelectField(_l("Method"), choices=choices(METHOD_LABELS))
    reference = StringField(_l("Reference"), validators=[Length(max=60)])
    allocations = FieldList(FormField(AllocationForm))
