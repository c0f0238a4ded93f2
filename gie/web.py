"""Small helpers shared by every blueprint's views, and how a refusal is shown.

A view never catches a service's refusal: the application's error handler rolls the request
back and shows it. A view that has a form says beforehand how (`refusal_shows`: the form again
with the user's input) or where to go back to (`refusal_returns_to`); otherwise a form posted
from one of our pages goes back to that page with the reasons flashed.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Response, current_app, flash, g, redirect, request, url_for
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter

from gie.errors import DomainError
from gie.forms import BIGINT_MAX, optional_int
from gie.tabular import DIALECTS, FRENCH, INTERNATIONAL, CsvDialect


def attach_errors(form, error: DomainError) -> list[str]:
    """Show a service's field errors under the form's fields; return the messages of the
    fields the form does not have."""
    elsewhere = []
    for name, messages in error.field_errors.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [str(m) for m in messages]
        else:
            elsewhere.extend(str(m) for m in messages)
    return elsewhere


def refusal_shows(page: Callable[[DomainError], object], form=None) -> None:
    """If a service refuses during this request, answer `page(error)` (the form again, with
    the user's input), the error's field messages under `form`'s fields."""
    g.refusal_page = (page, form)


def refusal_returns_to(url: str) -> None:
    """If a service refuses during this request, go back to `url` with the reasons flashed."""
    g.refusal_target = url


def keep_work_of_this_refusal() -> None:
    """Keep what this request wrote although its answer is a refusal (4xx): a login refused
    for a wrong password still counts the failure that will lock the account."""
    g.keep_work = True


def show_refusal(error: DomainError):
    """The response to a refusal, as the view declared it; None when it declared nothing
    and the request did not come from a form of ours (the caller shows an error page)."""
    page, form = g.pop("refusal_page", (None, None))
    elsewhere = attach_errors(form, error)
    reasons = [str(error.message)] + [r for r in elsewhere if r != str(error.message)]
    if page is not None:
        for reason in reasons:
            flash(reason, "error")
        return page(error), 422
    target = g.pop("refusal_target", None)
    if target is None and request.method == "POST":
        target = safe_next(request.referrer and _path_of(request.referrer), None)
    if target is None:
        return None
    for reason in reasons:
        flash(reason, "error")
    return redirect(target)


def _path_of(url: str) -> str | None:
    """The path and query of a URL of this site, None for any other site."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def server_host() -> str:
    """The configured server's host name (GIE_SERVER_NAME without its port)."""
    return urlsplit(f"//{current_app.config['GIE_SERVER_NAME']}").hostname or "localhost"


def absolute_url(endpoint: str, **values) -> str:
    """The address of a page on the configured server (GIE_SERVER_NAME), whatever Host header
    the request came with."""
    scheme = current_app.config["PREFERRED_URL_SCHEME"]
    return f"{scheme}://{current_app.config['GIE_SERVER_NAME']}{url_for(endpoint, **values)}"


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


def moved_permanently(new_address: str):
    """A bookmark of a former address: the same page at `new_address`, query string kept."""
    query = request.query_string.decode()
    return redirect(f"{new_address}?{query}" if query else new_address, 301)


def safe_next(target: str | None, fallback: str | None) -> str | None:
    """Follow `next` only to a path of this site, never to another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def page_number() -> int:
    """`?page=`, 1 when it is missing or not a page number (`gie.pagination` stops at the last)."""
    return max(1, optional_int(request.args.get("page")) or 1)


#: the years a query may name: dates are built from them, and no book is older or younger
YEARS = (1900, 2999)


def year_argument(default: int) -> int:
    """`?year=`, `default` when it is missing, malformed or outside `YEARS`."""
    year = optional_int(request.args.get("year"))
    return year if year is not None and YEARS[0] <= year <= YEARS[1] else default


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route (the application factory puts it in place of werkzeug's): a
    number no BIGINT holds is a page that does not exist (404) instead of a database error."""

    #: more digits than a BIGINT has never match, whatever the method: a rule refusing its
    #: value in `to_python` would let another rule of the same path answer 405
    regex = r"\d{1,19}"

    def __init__(self, url_map, fixed_digits=0, min=None, max=BIGINT_MAX, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)
