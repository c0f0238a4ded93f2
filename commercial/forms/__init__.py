"""Forms of the commercial pages, one module per subject: field parsing and field-level
checks only."""

from commercial.forms.buyers import BUYER_KIND_LABELS, BuyerForm, ContactForm
from commercial.forms.pipeline import (
    ACTIVITY_KIND_LABELS,
    SOURCE_LABELS,
    STAGE_KIND_LABELS,
    ActivityForm,
    DoneForm,
    LeadForm,
    MoveForm,
    StageForm,
)
from commercial.forms.products import UNITS, PhotoForm, ProductForm
from commercial.forms.trade_fair import LeadImportForm

__all__ = [
    "ACTIVITY_KIND_LABELS",
    "BUYER_KIND_LABELS",
    "SOURCE_LABELS",
    "STAGE_KIND_LABELS",
    "UNITS",
    "ActivityForm",
    "BuyerForm",
    "ContactForm",
    "DoneForm",
    "LeadForm",
    "LeadImportForm",
    "MoveForm",
    "PhotoForm",
    "ProductForm",
    "StageForm",
]
