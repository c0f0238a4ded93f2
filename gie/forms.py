"""Form helpers shared by every package."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, SelectChoice, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from gie.csvfiles import parse_decimal
from gie.money import D


def choices(options: dict | list[tuple], blank: str | None = None) -> list[SelectChoice]:
    """Select options from a {value: label} mapping (or pairs), with an optional blank first."""
    items = options.items() if isinstance(options, dict) else options
    listed = [SelectChoice(value, label) for value, label in items]
    return [SelectChoice("", blank), *listed] if blank is not None else listed


def encoding_field() -> SelectField:
    """The encoding of an uploaded CSV: found by itself, or said by the user."""
    return SelectField(
        _l("Encoding"),
        choices=choices({"auto": _l("Automatic"), "utf-8": "UTF-8", "cp1252": "Windows-1252"}),
        default="auto",
    )


#: the largest id a BIGINT column holds: a larger number would fail in the database
BIGINT_MAX = 2**63 - 1


def optional_int(value) -> int | None:
    """A record chosen in a select or named in a query argument: empty, anything that is not
    a whole number, or a number no BIGINT holds, means none."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -BIGINT_MAX - 1 <= number <= BIGINT_MAX else None


class MoneyField(StringField):
    """An amount as people type it: `1200.5`, `1 200,50`; empty means none."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            self.data = D(parse_decimal(text))
        except ValueError:
            raise ValueError(_l("Not an amount: %(text)s", text=text)) from None

    def _value(self) -> str:
        if isinstance(self.data, Decimal):
            return f"{self.data:.2f}"
        return self.data or ""


class ConfirmForm(FlaskForm):
    """An empty form: a POST with its CSRF token, after the user confirmed."""


class PeriodForm(Form):
    """The dates a page's figures are filtered on (query arguments), both optional."""

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class OnDateForm(Form):
    """The day a page's figures are taken on (a query argument), optional."""

    on = DateField(_l("On"), validators=[Optional()])
