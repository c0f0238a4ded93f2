"""Forms of the VAT pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from gie.forms import choices

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
