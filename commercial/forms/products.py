"""Forms of the catalogue: a product and its photos."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from gie.cooperatives.models import FILIERES
from gie.forms import MoneyField, choices, optional_int

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
    #: only an admin sees it: the adviser who edits the record with the admins
    owner_id = SelectField(_l("Adviser"), coerce=optional_int, validate_choice=False)


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP, 5 MB at most)"), validators=[FileRequired()])
