"""Languages: French (default), Arabic (right to left) and English; Babel formats numbers,
dates and MAD amounts for the active locale."""

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from flask import has_request_context, request, session
from flask_babel import Babel, force_locale, format_date, format_datetime, get_locale
from flask_login import current_user

LANGUAGES = {"fr": "Français", "ar": "العربية", "en": "English"}
#: Babel locale used to format numbers and dates for each language.
FORMAT_LOCALES = {"fr": "fr_MA", "ar": "ar_MA", "en": "en"}


def select_language() -> str:
    if not has_request_context():
        return "fr"
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("locale") in LANGUAGES:
        return session["locale"]
    return request.accept_languages.best_match(list(LANGUAGES)) or "fr"


def fold(text: str) -> str:
    """Compare labels as people type them: any case, straight or curly apostrophes."""
    return text.strip().replace("\u2019", "'").casefold()


def labels_in_every_language(label) -> set[str]:
    """A lazy label as every supported language writes it, folded."""
    found = {fold(str(label))}
    for code in LANGUAGES:
        with force_locale(code):
            found.add(fold(str(label)))
    return found


def language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format_currency(amount, "MAD", locale=FORMAT_LOCALES[language()])


def number(value) -> str:
    return format_decimal(value, locale=FORMAT_LOCALES[language()])


def short_date(value: date | None) -> str:
    return format_date(value, "short") if value else ""


def short_datetime(value: datetime | None) -> str:
    return format_datetime(value, "short") if value else ""


def init_app(app) -> None:
    Babel(app, locale_selector=select_language)
    app.jinja_env.filters.update(
        money=money, number=number, date=short_date, datetime=short_datetime
    )
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        current_language=language,
        text_direction=lambda: "rtl" if language() == "ar" else "ltr",
    )
