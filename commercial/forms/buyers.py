"""Forms of the address book: a buyer and a contact."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from gie.forms import choices, optional_int

BUYER_KIND_LABELS = {
    "hotel": _l("Hotel"),
    "restaurant": _l("Restaurant"),
    "shop": _l("Shop"),
    "exporter": _l("Exporter"),
    "wholesaler": _l("Wholesaler"),
    "fair_visitor": _l("Trade fair visitor"),
    "other": _l("Other"),
}


class BuyerForm(FlaskForm):
    name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(BUYER_KIND_LABELS))
    city = StringField(_l("City"), validators=[Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Length(max=30)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    notes = TextAreaField(_l("Notes"))
    #: only an admin sees it: the adviser who edits the record with the admins
    owner_id = SelectField(_l("Adviser"), coerce=optional_int, validate_choice=False)
    save_anyway = BooleanField(_l("It is another buyer: save anyway"))


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = StringField(_l("Role"), validators=[Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Length(max=30)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    save_anyway = BooleanField(_l("It is another person: save anyway"))
