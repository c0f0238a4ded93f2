from decimal import Decimal

from gie.amounts_in_words import amount_in_words


def test_french_totals_in_words():
    assert (
        amount_in_words(Decimal("1234.50"))
        == "mille deux cent trente-quatre dirhams et cinquante centimes"
    )
    assert amount_in_words(Decimal("1.00")) == "un dirham"
    assert amount_in_words(Decimal("2000000")) == "deux millions de dirhams"


def test_arabic_totals_in_words():
    assert amount_in_words(Decimal("21.05"), "ar") == "واحد و عشرون درهم و خمسة سنتيم"
