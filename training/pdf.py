"""Training documents as PDF, printed from HTML templates by gie.pdf: the attendance sheet of
a session (in the reader's language) and a participant's attendance certificate (French, or
Arabic right to left). The certificate's wording is part of the document, written here in the
two languages it is issued in, like billing's legal formulae."""

from datetime import date
from pathlib import Path

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale

from billing.pdf import dir_of, issuer
from gie import pdf
from gie.i18n import FORMAT_LOCALES
from training.reports.sessions import course_title, half_days

DOCUMENT_STYLESHEET = Path(__file__).parent / "static" / "documents.css"

CERTIFICATE = {
    "fr": {
        "title": "Attestation de participation",
        "body": "{issuer} atteste que",
        "followed": "a suivi la formation",
        "hours": "d'une durée de {hours} heures",
        "dates": "du {start} au {end}",
        "one_day": "le {start}",
        "town": "à {town}",
        "trainer": "Formateur : {trainer}",
        "cooperative": "Coopérative : {name}",
        "closing": "Fait pour servir et valoir ce que de droit.",
        "issued": "Délivrée le {date}",
        "signature": "Pour le GIE, signature et cachet",
    },
    "ar": {
        "title": "شهادة المشاركة",
        "body": "تشهد {issuer} بأن",
        "followed": "قد تابع(ت) التكوين",
        "hours": "لمدة {hours} ساعة",
        "dates": "من {start} إلى {end}",
        "one_day": "يوم {start}",
        "town": "بـ{town}",
        "trainer": "المكون(ة): {trainer}",
        "cooperative": "التعاونية: {name}",
        "closing": "سلمت هذه الشهادة للإدلاء بها عند الحاجة.",
        "issued": "حررت بتاريخ {date}",
        "signature": "عن المجموعة، التوقيع والختم",
    },
}


def long_date(value: date, language: str) -> str:
    return format_date(value, "long", locale=FORMAT_LOCALES[language])


def _print(template: str, language: str, **context) -> bytes:
    with force_locale(language):
        html = render_template(
            template, issuer=issuer(), language=language, dir_of=dir_of, **context
        )
    return pdf.render_pdf(html, stylesheets=(DOCUMENT_STYLESHEET,))


def attendance_sheet_pdf(training_session, participants: list, language: str) -> bytes:
    return _print(
        "training/print/attendance_sheet.html",
        language,
        training_session=training_session,
        title=course_title(training_session.course, language),
        participants=participants,
        half_days=half_days(training_session),
        printed_on=date.today(),
    )


def certificate_pdf(booking, language: str) -> bytes:
    training_session = booking.session
    words = CERTIFICATE[language]
    start = long_date(training_session.start_on, language)
    end = long_date(training_session.end_on, language)
    if training_session.start_on == training_session.end_on:
        dates = words["one_day"].format(start=start)
    else:
        dates = words["dates"].format(start=start, end=end)
    return _print(
        "training/print/certificate.html",
        language,
        booking=booking,
        training_session=training_session,
        title=course_title(training_session.course, language),
        words=words,
        dates=dates,
        issued=words["issued"].format(date=long_date(date.today(), language)),
    )
