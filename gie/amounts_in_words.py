"""Totals in words, as Moroccan invoices state them ("Arrêtée la présente facture à la somme
de ..."): dirhams and centimes, in French or Arabic."""

from decimal import Decimal

from num2words import num2words

UNITS = {
    "fr": ("dirham", "dirhams", "centime", "centimes", "et"),
    "ar": ("درهم", "درهم", "سنتيم", "سنتيم", "و"),
}


def amount_in_words(amount: Decimal, language: str = "fr") -> str:
    """1234.50 -> "mille deux cent trente-quatre dirhams et cinquante centimes"."""
    language = language if language in UNITS else "fr"
    one, many, cent_one, cent_many, joiner = UNITS[language]
    amount = abs(amount).quantize(Decimal("0.01"))
    dirhams, centimes = int(amount), int((amount % 1) * 100)
    number = num2words(dirhams, lang=language)
    # French says "deux millions de dirhams", but "deux millions cent dirhams".
    unit = one if dirhams == 1 else many
    if language == "fr" and number.endswith(("million", "millions", "milliard", "milliards")):
        unit = f"de {unit}"
    words = f"{number} {unit}"
    if centimes:
        cents = f"{num2words(centimes, lang=language)} {cent_one if centimes == 1 else cent_many}"
        words = f"{words} {joiner} {cents}"
    return words
