"""The form of the leads' CSV import (contacts collected at a trade fair)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField

from gie.forms import encoding_field


class LeadImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
    encoding = encoding_field()
    allow_duplicate = BooleanField(
        _l("Import anyway: I checked that these leads are not already in the pipeline")
    )
