"""VAT returns: collected and deductible VAT by rate from invoices, purchases and their
payments (regimes of collection and of debit), rates inferred from date-effective records,
the validation that posts the settlement entry, and what a validated return could not see
caught up in the next one."""

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from accounting import matching, services, vat_rates
from accounting.models import Entry, Line, Match, VatRate
from accounting.services import LineInput
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from financial_close import vat_periods, vat_return, vat_settings, vat_settlement
from financial_close.models import VatReturn
from gie.audit.services import acting_as
from gie.money import ZERO
from tests.audit import audit_row

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
AFTER_Q2 = date(2026, 7, 15)


def cents(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def books(session):
    """The GIE's books, opened for 2026, with the usual rate records."""
    vat_rates.ensure_vat_rates(session)
    ledger = services.open_ledger(session, "GIE", first_year=2026)
    session.commit()
    return ledger


@pytest.fixture
def book(session):
    """Post an entry from (account, debit, credit, partner, rate) tuples; returns it."""

    def book(ledger, on, *rows, journal="OD"):
        lines = [
            LineInput(
                code,
                debit=Decimal(debit or "0"),
                credit=Decimal(credit or "0"),
                partner=partner,
                vat_rate=Decimal(rate) if rate is not None else None,
            )
            for code, debit, credit, partner, rate in rows
        ]
        entry = services.record_entry(
            session, ledger.id, journal_code=journal, entry_date=on, label="Test", lines=lines
        )
        session.commit()
        return entry

    return book


def partner_line(entry):
    return next(line for line in entry.lines if line.account.code in ("3421", "4411"))


@pytest.fixture
def pay(session, book):
    """Post a payment of `amount` of an invoice or a purchase on `on` and match it."""

    def pay(ledger, invoice, amount, on):
        invoice_line = partner_line(invoice)
        code, partner = invoice_line.account.code, invoice_line.partner
        if invoice_line.debit:
            payment = book(
                ledger, on, ("5141", amount, "", "", None), (code, "", amount, partner, None)
            )
        else:
            payment = book(
                ledger, on, (code, amount, "", partner, None), ("5141", "", amount, "", None)
            )
        matching.match_lines(session, ledger.id, [invoice_line.id, partner_line(payment).id])
        session.commit()
        return payment

    return pay


@pytest.fixture
def quarter_one(books, book, pay):
    """Sales at 20 % and 10 % (tagged, as billing posts them), an untagged purchase with a
    supplier line, untagged bank fees paid on the spot, and payments."""
    sale_20 = book(
        books,
        date(2026, 1, 10),
        ("3421", "1200.00", "", "CLIENT-A", None),
        ("7124", "", "1000.00", "", "20"),
        ("4455", "", "200.00", "", "20"),
        journal="VT",
    )
    sale_10 = book(
        books,
        date(2026, 2, 5),
        ("3421", "550.00", "", "CLIENT-B", None),
        ("7127", "", "500.00", "", "10"),
        ("4455", "", "50.00", "", "10"),
        journal="VT",
    )
    purchase = book(
        books,
        date(2026, 2, 10),
        ("6125", "300.00", "", "", None),
        ("34552", "60.00", "", "", None),
        ("4411", "", "360.00", "SUPPLIER-1", None),
        journal="AC",
    )
    book(
        books,
        date(2026, 3, 5),
        ("6147", "50.00", "", "", None),
        ("34552", "10.00", "", "", None),
        ("5141", "", "60.00", "", None),
        journal="BQ",
    )
    pay(books, sale_20, "480.00", date(2026, 3, 1))  # 40 % of the invoice
    pay(books, purchase, "360.00", date(2026, 3, 20))
    pay(books, sale_10, "550.00", date(2026, 4, 10))  # paid in the next quarter
    return books


def amounts(draft, kind):
    return {line.rate: (line.base, line.tax) for line in draft.by_rate[kind]}


def test_collection_regime_counts_what_was_paid_in_the_period(session, quarter_one):
    draft = vat_return.compute_return(session, quarter_one.id, *Q1)

    paid_share = Decimal("480.00") / Decimal("1200.00")
    assert amounts(draft, "collected") == {
        Decimal("20.00"): (cents(Decimal("1000") * paid_share), cents(Decimal("200") * paid_share))
    }
    assert amounts(draft, "deductible_expenses") == {
        Decimal("20.00"): (
            Decimal("300.00") + Decimal("50.00"),
            Decimal("60.00") + Decimal("10.00"),
        )
    }
    assert draft.line_130 == Decimal("80.00")
    assert draft.line_200 == Decimal("80.00") - Decimal("70.00")
    assert draft.line_201 == 0
    assert draft.to_check == []

    second = vat_return.compute_return(session, quarter_one.id, *Q2)
    assert amounts(second, "collected") == {Decimal("10.00"): (Decimal("500.00"), Decimal("50.00"))}
    assert amounts(second, "deductible_expenses") == {}


def test_debit_regime_counts_what_was_invoiced_in_the_period(session, quarter_one):
    quarter_one.vat_regime = "debit"
    session.commit()

    draft = vat_return.compute_return(session, quarter_one.id, *Q1)

    assert amounts(draft, "collected") == {
        Decimal("10.00"): (Decimal("500.00"), Decimal("50.00")),
        Decimal("20.00"): (Decimal("1000.00"), Decimal("200.00")),
    }
    assert draft.line_60 == Decimal("1500.00")
    assert draft.line_130 == Decimal("250.00")
    assert draft.line_200 == Decimal("250.00") - Decimal("70.00")
    assert vat_return.compute_return(session, quarter_one.id, *Q2).line_130 == 0


def test_a_credit_note_cancels_vat_rather_than_collects_it(session, books, book, pay):
    invoice = book(
        books,
        date(2026, 1, 10),
        ("3421", "1200.00", "", "CLIENT-A", None),
        ("7124", "", "1000.00", "", "20"),
        ("4455", "", "200.00", "", "20"),
    )
    credit_note = book(
        books,
        date(2026, 2, 1),
        ("7124", "500.00", "", "", "20"),
        ("4455", "100.00", "", "", "20"),
        ("3421", "", "600.00", "CLIENT-A", None),
    )
    matching.match_lines(
        session, books.id, [partner_line(invoice).id, partner_line(credit_note).id]
    )
    pay(books, invoice, "600.00", date(2026, 3, 1))

    collection = vat_return.compute_return(session, books.id, *Q1)
    assert amounts(collection, "collected") == {
        Decimal("20.00"): (Decimal("500.00"), Decimal("100.00"))
    }

    books.vat_regime = "debit"
    session.commit()
    debit = vat_return.compute_return(session, books.id, *Q1)
    assert amounts(debit, "collected") == {
        Decimal("20.00"): (
            Decimal("1000.00") - Decimal("500.00"),
            Decimal("200.00") - Decimal("100.00"),
        )
    }


def test_billing_invoices_carry_their_rates_and_exempt_sales_go_to_line_30(
    session, books, make_cooperative
):
    books.vat_regime = "debit"
    training = billing_catalogue.create_service(
        session,
        code="FORM-J",
        name="Formation",
        category="training",
        unit="day",
        public_price=Decimal("800.00"),
        member_price=Decimal("800.00"),
        valid_from=date(2026, 1, 1),
        vat_code="TVA10",
    )
    support = billing_catalogue.create_service(
        session,
        code="APPUI",
        name="Appui commercial",
        category="commercial_support",
        unit="day",
        public_price=Decimal("1500.00"),
        member_price=Decimal("1500.00"),
        valid_from=date(2026, 1, 1),
    )
    exempt = billing_catalogue.create_service(
        session,
        code="COTIS",
        name="Cotisation",
        category="membership_fee",
        unit="flat",
        public_price=Decimal("300.00"),
        member_price=Decimal("300.00"),
        valid_from=date(2026, 1, 1),
        vat_code="EXO91",
        income_account="7127",
    )
    customer = billing_customers.member_customer(session, make_cooperative().id)
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [
            billing_invoices.DraftLine(training.id, Decimal("2")),
            billing_invoices.DraftLine(support.id, Decimal("1")),
            billing_invoices.DraftLine(exempt.id, Decimal("1")),
        ],
        on=date(2026, 2, 3),
    )
    billing_invoices.issue_invoice(session, draft.id, on=date(2026, 2, 3))
    session.commit()

    draft = vat_return.compute_return(session, books.id, *Q1)

    assert amounts(draft, "collected") == {
        Decimal("10.00"): (Decimal("1600.00"), Decimal("160.00")),
        Decimal("20.00"): (Decimal("1500.00"), Decimal("300.00")),
    }
    assert draft.line_30 == Decimal("300.00")
    assert draft.line_10 == Decimal("1600.00") + Decimal("1500.00") + Decimal("300.00")


def test_rates_are_inferred_from_the_records_in_force_at_the_entry_date(session, book):
    vat_rates.ensure_vat_rates(session)
    session.add(
        VatRate(
            code="TVA14",
            rate=Decimal("14"),
            valid_from=date(2025, 1, 1),
            valid_to=date(2025, 12, 31),
            legal_reference="CGI art. 99 (2025)",
        )
    )
    ledger = services.open_ledger(session, "GIE", first_year=2025)
    services.add_fiscal_year(session, ledger.id)
    session.commit()

    def purchase(on, tax):
        return book(
            ledger,
            on,
            ("6125", "1000.00", "", "", None),
            ("34552", tax, "", "", None),
            ("5141", "", cents(Decimal("1000") + Decimal(tax)), "", None),
        )

    purchase(date(2025, 5, 10), "140.00")
    at_14_in_2026 = purchase(date(2026, 5, 10), "140.00")
    purchase(date(2026, 5, 11), "100.00")

    of_2025 = vat_return.compute_return(session, ledger.id, date(2025, 4, 1), date(2025, 6, 30))
    assert amounts(of_2025, "deductible_expenses") == {
        Decimal("14.00"): (Decimal("1000.00"), Decimal("140.00"))
    }

    of_2026 = vat_return.compute_return(session, ledger.id, *Q2)
    assert amounts(of_2026, "deductible_expenses") == {
        Decimal("10.00"): (Decimal("1000.00"), Decimal("100.00"))
    }
    assert [entry.entry_id for entry in of_2026.to_check] == [at_14_in_2026.id]


def test_a_rate_within_a_centime_per_line_is_recognised(session, books, book):
    books.vat_regime = "debit"
    book(
        books,
        date(2026, 1, 20),
        ("6125", "33.33", "", "", None),
        ("6126", "33.33", "", "", None),
        ("34552", "13.32", "", "", None),  # 66.66 x 20 % = 13.332, each line rounded up
        ("5141", "", "79.98", "", None),
    )
    draft = vat_return.compute_return(session, books.id, *Q1)
    assert amounts(draft, "deductible_expenses") == {
        Decimal("20.00"): (Decimal("66.66"), Decimal("13.32"))
    }


def _count(session, model, ledger):
    return session.scalar(select(func.count(model.id)).where(model.ledger_id == ledger.id))


def test_validation_posts_a_balanced_settlement_and_carries_the_credit(
    session, quarter_one, book, pay
):
    q1 = vat_settlement.validate_return(
        session, quarter_one.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
    )
    session.commit()

    assert (q1.collected, q1.due, q1.credit) == (Decimal("80.00"), Decimal("10.00"), 0)
    settlement = session.get(Entry, q1.entry_id)
    assert settlement.journal.code == "OD" and settlement.date == Q1[1]
    assert settlement.total_debit == settlement.total_credit
    assert {(line.account.code, line.debit, line.credit) for line in settlement.lines} == {
        ("4455", Decimal("80.00"), 0),
        ("34552", 0, Decimal("70.00")),
        ("4456", 0, Decimal("10.00")),
    }

    equipment = book(
        quarter_one,
        date(2026, 4, 15),
        ("2355", "10000.00", "", "", None),
        ("34551", "2000.00", "", "", None),
        ("4411", "", "12000.00", "SUPPLIER-2", None),
    )
    pay(quarter_one, equipment, "12000.00", date(2026, 5, 2))

    q2 = vat_settlement.validate_return(
        session, quarter_one.id, Q2[0], actor=None, today=AFTER_Q2, confirm_left_out=True
    )
    session.commit()

    expected_credit = Decimal("2000.00") - Decimal("50.00")
    assert (q2.collected, q2.deductible_fixed_assets) == (Decimal("50.00"), Decimal("2000.00"))
    assert (q2.due, q2.credit) == (0, expected_credit)
    settlement = session.get(Entry, q2.entry_id)
    assert settlement.total_debit == settlement.total_credit
    assert {(line.account.code, line.debit, line.credit) for line in settlement.lines} == {
        ("4455", Decimal("50.00"), 0),
        ("34551", 0, Decimal("2000.00")),
        ("3456", expected_credit, 0),
    }

    q3 = vat_return.compute_return(session, quarter_one.id, date(2026, 7, 1), date(2026, 9, 30))
    assert q3.line_170 == expected_credit
    assert q3.line_201 == expected_credit
    # The settlements themselves are not read as VAT of a later period.
    assert vat_return.compute_return(session, quarter_one.id, *Q2).to_check == []


def test_validating_twice_is_refused_and_changes_nothing(session, quarter_one):
    vat_settlement.validate_return(
        session, quarter_one.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
    )
    session.commit()
    returns, lines = _count(session, VatReturn, quarter_one), _count(session, Line, quarter_one)

    with pytest.raises(vat_settings.VatReturnRefused, match="validated already"):
        vat_settlement.validate_return(
            session, quarter_one.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
        )
    session.rollback()

    assert _count(session, VatReturn, quarter_one) == returns
    assert _count(session, Line, quarter_one) == lines


def test_returns_go_in_order_after_their_period_and_without_entries_to_check(
    session, quarter_one, book
):
    with pytest.raises(vat_settings.VatReturnRefused, match="previous period"):
        vat_settlement.validate_return(
            session, quarter_one.id, Q2[0], actor=None, today=AFTER_Q2, confirm_left_out=True
        )
    with pytest.raises(vat_settings.VatReturnRefused, match="not ended"):
        vat_settlement.validate_return(
            session, quarter_one.id, Q1[0], actor=None, today=date(2026, 3, 31)
        )
    book(
        quarter_one,
        date(2026, 3, 10),
        ("6125", "1000.00", "", "", None),
        ("34552", "123.00", "", "", None),
        ("5141", "", "1123.00", "", None),
    )
    with pytest.raises(vat_settings.VatReturnRefused, match="to check"):
        vat_settlement.validate_return(
            session, quarter_one.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
        )
    session.rollback()
    assert _count(session, VatReturn, quarter_one) == 0


def test_a_refused_posting_leaves_no_return(session, quarter_one):
    services.set_lock_date(session, quarter_one.id, date(2026, 3, 31))
    session.commit()
    with pytest.raises(services.PostingRefused):
        vat_settlement.validate_return(
            session, quarter_one.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
        )
    session.rollback()
    assert _count(session, VatReturn, quarter_one) == 0


def test_periods_and_the_next_return_due(session, quarter_one, book):
    assert vat_periods.vat_periods(quarter_one, 2026)[1] == Q2
    assert vat_periods.next_return_due(session, quarter_one, AFTER_Q2) == (*Q1, date(2026, 4, 30))
    assert vat_periods.periods_without_return(session, quarter_one, 2026) == [Q1]

    vat_settlement.validate_return(
        session, quarter_one.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
    )
    session.commit()
    assert vat_periods.next_return_due(session, quarter_one, AFTER_Q2) == (*Q2, date(2026, 7, 31))
    assert vat_periods.next_return_due(session, quarter_one, date(2026, 3, 31)) is None

    quarter_one.vat_period = "monthly"
    session.commit()
    assert len(vat_periods.vat_periods(quarter_one, 2026)) == 12
    assert vat_periods.next_return_due(session, quarter_one, AFTER_Q2)[:2] == (
        date(2026, 4, 1),
        date(2026, 4, 30),
    )


def test_a_payment_matched_after_its_period_was_validated_is_caught_up_in_the_next_return(
    session, books, book, pay
):
    invoice = book(
        books,
        date(2026, 2, 10),
        ("3421", "1200.00", "", "CLIENT-A", None),
        ("7124", "", "1000.00", "", "20"),
        ("4455", "", "200.00", "", "20"),
        journal="VT",
    )
    pay(books, invoice, "600.00", date(2026, 3, 1))
    q1 = vat_settlement.validate_return(
        session, books.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
    )
    q1.validated_at = datetime.now(UTC) - timedelta(days=1)
    known_match = session.scalars(select(Match).where(Match.ledger_id == books.id)).one()
    known_match.created_at = q1.validated_at - timedelta(hours=1)
    session.commit()
    known_share = Decimal("600.00") / Decimal("1200.00")
    q1_collected = cents(Decimal("200") * known_share)

    # Posted and matched after Q1 was validated, though dated in Q1.
    late_payment = pay(books, invoice, "360.00", date(2026, 3, 25))
    bank_fees = book(
        books,
        date(2026, 3, 5),
        ("6147", "50.00", "", "", None),
        ("34552", "10.00", "", "", None),
        ("5141", "", "60.00", "", None),
        journal="BQ",
    )
    q2_sale = book(
        books,
        date(2026, 4, 10),
        ("3421", "550.00", "", "CLIENT-B", None),
        ("7127", "", "500.00", "", "10"),
        ("4455", "", "50.00", "", "10"),
        journal="VT",
    )
    pay(books, q2_sale, "550.00", date(2026, 5, 4))

    draft = vat_return.compute_return(session, books.id, *Q2)

    late_share = Decimal("360.00") / Decimal("1200.00")
    late_collected = cents(Decimal("200") * late_share)
    assert amounts(draft, "collected") == {
        Decimal("10.00"): (Decimal("500.00"), Decimal("50.00")),
        Decimal("20.00"): (cents(Decimal("1000") * late_share), late_collected),
    }
    assert amounts(draft, "deductible_expenses") == {
        Decimal("20.00"): (Decimal("50.00"), Decimal("10.00"))
    }
    assert draft.line_130 == Decimal("50.00") + late_collected
    assert draft.line_200 == Decimal("50.00") + late_collected - Decimal("10.00")
    assert draft.caught_up == [
        vat_return.CaughtUp(
            entries=(vat_return.EntryLink(bank_fees.id, bank_fees.number),),
            date=date(2026, 3, 5),
            collected=ZERO,
            deductible=Decimal("10.00"),
        ),
        vat_return.CaughtUp(
            entries=(
                vat_return.EntryLink(invoice.id, invoice.number),
                vat_return.EntryLink(late_payment.id, late_payment.number),
            ),
            date=date(2026, 3, 25),
            collected=late_collected,
            deductible=ZERO,
        ),
    ]

    session.expire_all()
    saved_q1 = vat_return.get_return(session, books.id, Q1[0])
    assert (saved_q1.collected, saved_q1.due) == (q1_collected, q1_collected)
    assert amounts(vat_return.saved_draft(session, saved_q1), "collected") == {
        Decimal("20.00"): (cents(Decimal("1000") * known_share), q1_collected)
    }
    assert vat_return.saved_draft(session, saved_q1).caught_up == []

    q2 = vat_settlement.validate_return(
        session, books.id, Q2[0], actor=None, today=AFTER_Q2, confirm_left_out=True
    )
    session.commit()
    assert (q2.collected, q2.deductible_expenses) == (draft.line_130, Decimal("10.00"))
    assert vat_return.saved_draft(session, q2).caught_up == draft.caught_up
    q3 = vat_return.compute_return(session, books.id, *Q3)
    assert (q3.line_130, q3.deductible_expenses, q3.caught_up) == (0, 0, [])


def test_an_entry_posted_after_its_period_was_validated_is_caught_up_in_the_next_return(
    session, books, book
):
    books.vat_regime = "debit"
    sale = book(
        books,
        date(2026, 2, 1),
        ("3421", "1200.00", "", "CLIENT-A", None),
        ("7124", "", "1000.00", "", "20"),
        ("4455", "", "200.00", "", "20"),
        journal="VT",
    )
    q1 = vat_settlement.validate_return(
        session, books.id, Q1[0], actor=None, today=AFTER_Q2, confirm_left_out=True
    )
    session.commit()
    late_purchase = book(
        books,
        date(2026, 3, 15),
        ("6125", "500.00", "", "", None),
        ("34552", "100.00", "", "", None),
        ("4411", "", "600.00", "SUPPLIER-1", None),
        journal="AC",
    )
    q1.validated_at = sale.posted_at + (late_purchase.posted_at - sale.posted_at) / 2
    session.commit()

    draft = vat_return.compute_return(session, books.id, *Q2)

    assert amounts(draft, "collected") == {}
    assert amounts(draft, "deductible_expenses") == {
        Decimal("20.00"): (Decimal("500.00"), Decimal("100.00"))
    }
    assert (draft.line_200, draft.line_201) == (0, Decimal("100.00"))
    assert draft.caught_up == [
        vat_return.CaughtUp(
            entries=(vat_return.EntryLink(late_purchase.id, late_purchase.number),),
            date=date(2026, 3, 15),
            collected=ZERO,
            deductible=Decimal("100.00"),
        )
    ]
    session.expire_all()
    saved_q1 = vat_return.get_return(session, books.id, Q1[0])
    assert (saved_q1.collected, saved_q1.deductible_expenses, saved_q1.due) == (
        Decimal("200.00"),
        0,
        Decimal("200.00"),
    )


def test_validating_a_return_is_audited_with_its_lines_and_settlement(
    session, quarter_one, make_user
):
    accountant = make_user("accountant")
    with acting_as(accountant.id):
        validated = vat_settlement.validate_return(
            session, quarter_one.id, Q1[0], actor=accountant, today=AFTER_Q2, confirm_left_out=True
        )
    session.commit()
    row = audit_row(session, validated, "create")
    assert row.record_label == f"VAT return 2026-01-01 – 2026-03-31 of ledger #{quarter_one.id}"
    assert row.user_id == accountant.id
    for line in validated.lines:
        assert audit_row(session, line, "create").record_label.startswith(
            f"Line of VAT return #{validated.id}: {line.kind} "
        )
    settlement = session.get(Entry, validated.entry_id)
    assert settlement.posted_by_id == accountant.id
    assert audit_row(session, settlement, "update").user_id == accountant.id
