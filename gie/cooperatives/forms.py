from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from gie.cooperatives.models import FILIERES, LEGAL_FORMS, PROVINCES, STATUSES
from gie.forms import choices, encoding_field


class CooperativeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=200)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[Length(max=200)])
    legal_form = SelectField(_l("Legal form"), choices=choices(LEGAL_FORMS))
    filiere = SelectField(_l("Filière"), choices=choices(FILIERES, ""), validators=[DataRequired()])
    province = SelectField(
        _l("Prefecture or province"), choices=choices(PROVINCES, ""), validators=[DataRequired()]
    )
    commune = StringField(_l("Commune"), validators=[Length(max=120)])
    address = TextAreaField(_l("Address"))
    ice = StringField(_l("ICE"), validators=[Length(max=20)])
    if_number = StringField(_l("Tax id (IF)"), validators=[Length(max=20)])
    rc_number = StringField(_l("Trade register (RC)"), validators=[Length(max=30)])
    local_register_number = StringField(
        _l("Local cooperative register no."), validators=[Length(max=30)]
    )
    created_on = DateField(_l("Creation date"), validators=[Optional()])
    share_capital = DecimalField(
        _l("Share capital (MAD)"), places=2, validators=[Optional(), NumberRange(min=0)]
    )
    membership_start_on = DateField(_l("Member of the GIE since"), validators=[Optional()])
    membership_end_on = DateField(_l("Membership ended on"), validators=[Optional()])
    status = SelectField(_l("Membership status"), choices=choices(STATUSES))
    members_women = IntegerField(_l("Women members"), validators=[Optional(), NumberRange(min=0)])
    members_men = IntegerField(_l("Men members"), validators=[Optional(), NumberRange(min=0)])
    members_youth = IntegerField(
        _l("Members under 35"), validators=[Optional(), NumberRange(min=0)]
    )
    president_name = StringField(_l("President"), validators=[Length(max=120)])
    president_phone = StringField(_l("President's phone"), validators=[Length(max=30)])
    president_email = StringField(_l("President's email"), validators=[Length(max=254)])


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Choose a .csv file."))],
    )
    encoding = encoding_field()
