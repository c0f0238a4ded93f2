"""Import and export pages of the accounting blueprint."""

from accounting.views import bp  # noqa: F401
