"""Forms of the commercial pages: field parsing and field-level checks only."""

# --- Products and photos; buyers and contacts ----------------------------------------------

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from gie.cooperatives.models import FILIERES
from gie.forms import MoneyField, choices

BUYER_KIND_LABELS = {
    "hotel": _l("Hotel"),
    "restaurant": _l("Restaurant"),
    "shop": _l("Shop"),
    "exporter": _l("Exporter"),
    "wholesaler": _l("Wholesaler"),
    "fair_visitor": _l("Trade fair visitor"),
    "other": _l("Other"),
}


UNITS = {
    "kg": _l("kilogram"),
    "litre": _l("litre"),
    "piece": _l("piece"),
    "m2": _l("square metre"),
    "box": _l("box"),
    "jar": _l("jar"),
}


class ProductForm(FlaskForm):
    cooperative_id = SelectField(_l("Cooperative"), coerce=int, validate_choice=False)
    name = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=200)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[Length(max=200)])
    filiere = SelectField(_l("Filière"), choices=choices(FILIERES, _l("The cooperative's")))
    description = TextAreaField(_l("Description"))
    unit = SelectField(_l("Unit"), choices=choices(UNITS, ""), validators=[DataRequired()])
    price_min = MoneyField(_l("Lowest price (MAD per unit)"))
    price_max = MoneyField(_l("Highest price (MAD per unit)"))
    monthly_capacity = IntegerField(
        _l("Monthly capacity (units)"), validators=[Optional(), NumberRange(min=0)]
    )


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP, 5 MB at most)"), validators=[FileRequired()])


# ---- buyers and contacts --------------------------------------------------------------


class BuyerForm(FlaskForm):
    name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(BUYER_KIND_LABELS))
    city = StringField(_l("City"), validators=[Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Length(max=30)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    notes = TextAreaField(_l("Notes"))
    save_anyway = BooleanField(_l("It is another buyer: save anyway"))


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = StringField(_l("Role"), validators=[Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Length(max=30)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    save_anyway = BooleanField(_l("It is another person: save anyway"))


# --- Stages, leads, activities (the sales advisers' pipeline) -----------------------------

from flask_wtf import FlaskForm as _FlaskForm  # noqa: E402
from flask_wtf.file import FileField as _FileField  # noqa: E402
from wtforms import (  # noqa: E402
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional  # noqa: E402

from gie.forms import MoneyField as _MoneyField  # noqa: E402
from gie.forms import choices as _choices  # noqa: E402

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


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class StageForm(_FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired()])
    name_ar = StringField(_l("Name in Arabic"))
    kind = SelectField(_l("Kind"), choices=_choices(STAGE_KIND_LABELS), default="open")
    probability = IntegerField(
        _l("Default probability (%)"), validators=[InputRequired(), NumberRange(0, 100)]
    )
    active = BooleanField(_l("Active"), default=True)


class LeadForm(_FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()])
    buyer_id = SelectField(_l("Buyer"), coerce=_optional_int, validate_choice=False)
    contact_id = SelectField(_l("Contact"), coerce=_optional_int, validate_choice=False)
    cooperative_ids = SelectMultipleField(_l("Cooperatives"), coerce=int, validate_choice=False)
    product_ids = SelectMultipleField(_l("Products"), coerce=int, validate_choice=False)
    amount = _MoneyField(_l("Amount (MAD)"))
    probability = IntegerField(_l("Probability (%)"), validators=[Optional(), NumberRange(0, 100)])
    stage_id = SelectField(_l("Stage"), coerce=_optional_int, validate_choice=False)
    lost_reason = StringField(_l("Reason lost"))
    owner_id = SelectField(_l("Adviser"), coerce=_optional_int, validate_choice=False)
    source = SelectField(_l("Source"), choices=_choices(SOURCE_LABELS), default="other")
    expected_close_on = DateField(_l("Expected close"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"))


class MoveForm(_FlaskForm):
    stage_id = SelectField(_l("Stage"), coerce=_optional_int, validate_choice=False)
    lost_reason = StringField(_l("Reason lost"))


class ActivityForm(_FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(ACTIVITY_KIND_LABELS))
    subject = StringField(_l("Subject"), validators=[InputRequired()])
    due_on = DateField(_l("Due on"), validators=[InputRequired()])
    outcome = TextAreaField(_l("Outcome"))
    done = BooleanField(_l("Done"))


class DoneForm(_FlaskForm):
    outcome = StringField(_l("Outcome"))


class LeadImportForm(_FlaskForm):
    file = _FileField(_l("CSV file"))
