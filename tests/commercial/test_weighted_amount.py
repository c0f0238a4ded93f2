"""The weighted amount of the pipeline: one rule (per lead, half up to the centime) that the
board, the forecast, the adviser's home and the lead page share."""

from datetime import date
from decimal import Decimal

from babel.numbers import format_currency

from commercial import reports, services
from commercial.models import Buyer, weighted_amount
from gie.i18n import FORMAT_LOCALES


def test_weighted_amount_rounds_half_up_never_to_even():
    assert weighted_amount(Decimal("1234.50"), 10) == Decimal("123.45")
    assert weighted_amount(Decimal("1234.25"), 10) == Decimal("123.43")  # 123.425
    assert weighted_amount(Decimal("100.05"), 10) == Decimal("10.01")  # 10.005
    assert weighted_amount(Decimal("0.00"), 60) == Decimal("0.00")


def _in_page(amount: Decimal) -> str:
    return format_currency(amount, "MAD", locale=FORMAT_LOCALES["fr"])


def test_board_forecast_and_home_show_the_same_half_up_weighted_amount(
    client, session, login_as, make_cooperative
):
    adviser = login_as("sales_adviser")
    stage = services.ensure_default_stages(session)[0]  # Nouveau, 10 %
    buyer = Buyer(name="Riad Tétouan", kind="hotel")
    session.add(buyer)
    session.flush()
    cooperative = make_cooperative()
    # 123.425 and 10.005: half up gives 123.43 + 10.01 = 133.44; half even per lead gives
    # 133.42, and rounding the exact sum (133.430) gives 133.43.
    leads = [
        services.save_lead(
            session,
            {
                "title": f"Huile d'argan {amount}",
                "buyer_id": buyer.id,
                "amount": Decimal(amount),
                "owner_id": adviser.id,
                "cooperative_ids": [cooperative.id],
                "expected_close_on": date(2031, 5, 20),
            },
            actor=adviser,
        )
        for amount in ("1234.25", "100.05")
    ]
    lead_id = leads[0].id
    session.commit()
    expected = Decimal("133.44")

    column = next(c for c in services.board(session, adviser) if c["stage"].id == stage.id)
    assert column["weighted"] == expected
    assert reports.forecast(session, adviser) == [("2031-05", 2, Decimal("1334.30"), expected)]
    home_row = next(
        row
        for row in reports.pipeline_by_stage(session, adviser, owner_id=adviser.id)
        if row[0].id == stage.id
    )
    assert home_row[1:] == (2, Decimal("1334.30"), expected)

    for url in ("/commercial/pipeline", "/commercial/analysis", "/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert _in_page(expected) in page.text, url
        for wrong in (Decimal("133.42"), Decimal("133.43")):
            assert _in_page(wrong) not in page.text, url
    assert _in_page(Decimal("123.43")) in client.get(f"/commercial/leads/{lead_id}").text
