"""Forms of the year-end closing pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


class CloseYearForm(FlaskForm):
    fiscal_year_id = HiddenField(validators=[DataRequired()])
    force = BooleanField(
        _l("Close even with unreconciled bank lines or entries without a supporting document")
    )


class ReopenYearForm(FlaskForm):
    fiscal_year_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason for reopening"),
        validators=[
            DataRequired(message=_l("Give the reason for reopening.")),
            Length(max=500),
        ],
    )
