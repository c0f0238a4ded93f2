"""The training pages, all on one blueprint. Importing this package registers every page on it."""

from gie import i18n
from training.blueprint import bp
from training.forms import CATEGORY_LABELS, STATE_LABELS
from training.reports.sessions import course_title
from training.views import documents, manage, sessions

__all__ = ["bp", "documents", "manage", "sessions"]


@bp.context_processor
def _helpers():
    return {
        "course_title": lambda course: course_title(course, i18n.language()),
        "session_states": STATE_LABELS,
        "course_categories": CATEGORY_LABELS,
    }
