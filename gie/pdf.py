"""HTML to PDF with WeasyPrint, styled by one print stylesheet (gie/static/css/print.css):
A4, Noto Sans / Noto Sans Arabic / DejaVu Sans (Debian fonts, nothing fetched from the
network), page numbers in the footer, and `dir="rtl"` honoured for Arabic documents.

Templates render the HTML (with the active locale's formatting); this module prints it, and
tells the pages that answer with a PDF which language to print in and how to send it.
"""

from pathlib import Path

from flask import Response, abort, request
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from gie import i18n

#: the languages documents are issued in, whatever the reader's own
DOCUMENT_LANGUAGES = ("fr", "ar")
PRINT_STYLESHEET = Path(__file__).parent / "static" / "css" / "print.css"

#: Documents are rendered from our own templates with escaped user text: they need no
#: resource from anywhere. Only inline data: URLs (a logo, say) are fetched, never a file
#: of the server or a host of the network.
_FETCHER = URLFetcher(allowed_protocols={"data"})


def render_pdf(html: str, *, stylesheets: tuple[Path, ...] = ()) -> bytes:
    """Print an HTML document to PDF bytes with the print stylesheet (and any extra one)."""
    sheets = [CSS(filename=str(path)) for path in (PRINT_STYLESHEET, *stylesheets)]
    document = HTML(string=html, base_url=str(PRINT_STYLESHEET.parent), url_fetcher=_FETCHER)
    return document.write_pdf(stylesheets=sheets)


def document_language() -> str:
    """The language a PDF is printed in: `?lang=`, else the reader's (French for English)."""
    wanted = request.args.get("lang")
    if wanted:
        if wanted not in DOCUMENT_LANGUAGES:
            abort(404)
        return wanted
    return i18n.language() if i18n.language() in DOCUMENT_LANGUAGES else "fr"


def pdf_response(body: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under `filename`."""
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
