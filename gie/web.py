"""Small helpers shared by every blueprint's views."""

from urllib.parse import urlsplit

from flask import Response, request
from flask_babel import get_locale

from gie.errors import ValidationError
from gie.tabular import DIALECTS, FRENCH, INTERNATIONAL, CsvDialect


def attach_errors(form, error: ValidationError) -> None:
    """Show a service's field errors under the form's fields."""
    for name, messages in error.field_errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [str(m) for m in messages]


def csv_dialect() -> CsvDialect:
    """The CSV dialect a download asks for (`?dialect=fr|intl`); else French when the
    interface is, so that a French spreadsheet opens it in columns."""
    chosen = DIALECTS.get(request.args.get("dialect", ""))
    if chosen is not None:
        return chosen
    return FRENCH if str(get_locale()).startswith("fr") else INTERNATIONAL


def csv_response(text: str, filename: str) -> Response:
    # A BOM so that spreadsheets open the UTF-8 (Arabic names) correctly, whatever the dialect.
    return Response(
        text if text.startswith("\ufeff") else "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def safe_next(target: str | None, fallback: str) -> str:
    """Follow `next` only to a path of this site, never to another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def page_number() -> int:
    return request.args.get("page", 1, type=int) or 1
