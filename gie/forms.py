"""Form helpers shared by every package."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField

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
