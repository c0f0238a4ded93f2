"""The form of the leads' CSV import (contacts collected at a trade fair)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField


class LeadImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
