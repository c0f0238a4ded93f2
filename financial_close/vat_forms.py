"""Forms of the VAT pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length

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
