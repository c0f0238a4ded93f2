"""Forms of the sales advisers' pipeline: stages, leads, their moves and activities."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from gie.forms import MoneyField, choices, optional_int

STAGE_KIND_LABELS = {"open": _l("Open"), "won": _l("Won"), "lost": _l("Lost")}
SOURCE_LABELS = {
    "trade_fair": _l("Trade fair"),
    "referral": _l("Referral"),
    "website": _l("Website"),
    "walk_in": _l("Walk-in"),
    "call": _l("Phone call"),
    "other": _l("Other"),
}
ACTIVITY_KIND_LABELS = {
    "call": _l("Call"),
    "visit": _l("Visit"),
    "meeting": _l("Meeting"),
    "sample": _l("Sample sent"),
    "email": _l("Email"),
}


class StageForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired()])
    name_ar = StringField(_l("Name in Arabic"))
    kind = SelectField(_l("Kind"), choices=choices(STAGE_KIND_LABELS), default="open")
    probability = IntegerField(
        _l("Default probability (%)"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    active = BooleanField(_l("Active"), default=True)


class LeadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()])
    buyer_id = SelectField(_l("Buyer"), coerce=optional_int, validate_choice=False)
    contact_id = SelectField(_l("Contact"), coerce=optional_int, validate_choice=False)
    cooperative_ids = SelectMultipleField(_l("Cooperatives"), coerce=int, validate_choice=False)
    product_ids = SelectMultipleField(_l("Products"), coerce=int, validate_choice=False)
    amount = MoneyField(_l("Amount (MAD)"))
    probability = IntegerField(_l("Probability (%)"), validators=[Optional(), NumberRange(0, 100)])
    stage_id = SelectField(_l("Stage"), coerce=optional_int, validate_choice=False)
    lost_reason = StringField(_l("Reason lost"))
    owner_id = SelectField(_l("Adviser"), coerce=optional_int, validate_choice=False)
    source = SelectField(_l("Source"), choices=choices(SOURCE_LABELS), default="other")
    expected_close_on = DateField(_l("Expected close"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"))


class MoveForm(FlaskForm):
    stage_id = SelectField(_l("Stage"), coerce=optional_int, validate_choice=False)
    lost_reason = StringField(_l("Reason lost"))


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(ACTIVITY_KIND_LABELS))
    subject = StringField(_l("Subject"), validators=[InputRequired()])
    due_on = DateField(_l("Due on"), validators=[InputRequired()])
    outcome = TextAreaField(_l("Outcome"))
    done = BooleanField(_l("Done"))


class DoneForm(FlaskForm):
    outcome = StringField(_l("Outcome"))
