"""Training forms: booking a seat, and (for the coordinator) courses and sessions."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from gie.forms import choices, optional_int

SEX_LABELS = {"female": _l("Woman"), "male": _l("Man")}
AGE_BAND_LABELS = {
    "under_25": _l("Under 25"),
    "25_34": _l("25 to 34"),
    "35_49": _l("35 to 49"),
    "50_plus": _l("50 and over"),
}


STATE_LABELS = {
    "planned": _l("Planned"),
    "open": _l("Open"),
    "full": _l("Full"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
CATEGORY_LABELS = {
    "bookkeeping": _l("Bookkeeping"),
    "microcredit": _l("Microcredit"),
    "communication": _l("Communication"),
    "funding": _l("Funding"),
    "marketing": _l("Marketing"),
    "hygiene": _l("Hygiene"),
    "other": _l("Other"),
}


def presence_name(booking_id: int, day: date, half: str) -> str:
    """The name of the checkbox that marks a participant present on a half-day."""
    return f"present-{booking_id}-{day.isoformat()}-{half}"


class BookingForm(FlaskForm):
    participant_name = StringField(_l("Participant"), validators=[DataRequired(), Length(max=120)])
    sex = SelectField(_l("Sex"), choices=choices(SEX_LABELS, ""), validators=[DataRequired()])
    age_band = SelectField(
        _l("Age band"), choices=choices(AGE_BAND_LABELS, ""), validators=[DataRequired()]
    )
    cooperative_id = SelectField(
        _l("Cooperative"), coerce=optional_int, choices=[], validate_choice=False
    )
    customer_id = SelectField(
        _l("Billing customer (non-member)"), coerce=optional_int, choices=[], validate_choice=False
    )


class CourseForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    title = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=200)])
    title_ar = StringField(_l("Title (Arabic)"), validators=[Length(max=200)])
    category = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    hours = IntegerField(_l("Hours"), validators=[DataRequired(), NumberRange(min=1)])
    objectives = TextAreaField(_l("Objectives"))
    prerequisites = TextAreaField(_l("Prerequisites"))


class SessionForm(FlaskForm):
    course_id = SelectField(
        _l("Course"), coerce=optional_int, choices=[], validators=[DataRequired()]
    )
    start_on = DateField(_l("First day"), validators=[DataRequired()])
    end_on = DateField(_l("Last day"), validators=[DataRequired()])
    starts_at = TimeField(_l("Starts at"), validators=[Optional()])
    ends_at = TimeField(_l("Ends at"), validators=[Optional()])
    town = StringField(_l("Town"), validators=[DataRequired(), Length(max=120)])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    trainer = StringField(_l("Trainer"), validators=[Length(max=120)])
    capacity = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1)])
