"""Product catalogue and buyers pages of the commercial blueprint."""

from commercial.views import bp  # noqa: F401
