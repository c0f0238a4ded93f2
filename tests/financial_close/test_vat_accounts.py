"""The VAT a return reads, account by account, and the settlement that clears each of them;
under the regime of collection, what a return could not count and the confirmation it needs;
the ledger's VAT settings and the `settings` and `vat-return` commands."""

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting import matching, services, vat_rates
from accounting.models import Account, Entry, Ledger, Line
from accounting.services import LineInput
from financial_close import vat_return, vat_settings, vat_settlement
from financial_close.models import VatReturn
from gie.errors import ValidationError
from tests.snapshot import assert_unchanged, snapshot

Q1 = date(2026, 1, 1)
Q1_END = date(2026, 3, 31)
AFTER_Q1 = date(2026, 4, 20)


@pytest.fixture
def ledger(session, make_cooperative):
    vat_rates.ensure_vat_rates(session)
    ledger = services.open_ledger(session, make_cooperative().code, first_year=2026)
    session.commit()
    return ledger


@pytest.fixture
def post(session):
    def post(ledger, on, *rows):
        entry = services.record_entry(
            session,
            ledger.id,
            journal_code="OD",
            entry_date=on,
            label="Pièce",
            lines=[
                LineInput(
                    code,
                    debit=Decimal(debit or "0"),
                    credit=Decimal(credit or "0"),
                    partner=partner,
                )
                for code, debit, credit, partner in rows
            ],
        )
        session.commit()
        return entry

    return post


def balance(session, ledger, code, on=Q1_END) -> Decimal:
    """Debit minus credit of an account's posted lines up to `on`, read straight from them."""
    debit, credit = session.execute(
        select(func.sum(Line.debit), func.sum(Line.credit))
        .join(Account, Account.id == Line.account_id)
        .where(
            Account.ledger_id == ledger.id,
            Account.code == code,
            Line.posted.is_(True),
            Line.date <= on,
        )
    ).one()
    return (debit or Decimal(0)) - (credit or Decimal(0))


def in_debit_regime(session, ledger):
    ledger.vat_regime = "debit"
    session.commit()


def test_deductible_vat_booked_on_3455_is_cleared_from_3455(session, ledger, post):
    in_debit_regime(session, ledger)
    post(
        ledger,
        date(2026, 2, 10),
        ("6125", "1000.00", "", ""),
        ("3455", "200.00", "", ""),
        ("5141", "", "1200.00", ""),
    )
    post(
        ledger,
        date(2026, 3, 1),
        ("6126", "500.00", "", ""),
        ("3455", "100.00", "", ""),
        ("5141", "", "600.00", ""),
    )
    post(
        ledger,
        date(2026, 2, 15),
        ("3421", "2400.00", "", "HOTEL"),
        ("7124", "", "2000.00", ""),
        ("4455", "", "400.00", ""),
    )
    deductible = Decimal("200.00") + Decimal("100.00")

    vat_settlement.validate_return(session, ledger.id, Q1, actor=None, today=AFTER_Q1)
    session.commit()

    assert balance(session, ledger, "3455") == 0
    assert balance(session, ledger, "34552") == 0
    assert balance(session, ledger, "4455") == 0
    assert balance(session, ledger, "4456") == -(Decimal("400.00") - deductible)


def test_fixed_assets_on_34551_and_expenses_on_34552_are_each_cleared(session, ledger, post):
    in_debit_regime(session, ledger)
    post(
        ledger,
        date(2026, 1, 20),
        ("2355", "10000.00", "", ""),
        ("34551", "2000.00", "", ""),
        ("5141", "", "12000.00", ""),
    )
    post(
        ledger,
        date(2026, 2, 3),
        ("6125", "1000.00", "", ""),
        ("34552", "200.00", "", ""),
        ("5141", "", "1200.00", ""),
    )
    post(
        ledger,
        date(2026, 3, 9),
        ("5141", "1200.00", "", ""),
        ("7124", "", "1000.00", ""),
        ("4455", "", "200.00", ""),
    )

    saved = vat_settlement.validate_return(session, ledger.id, Q1, actor=None, today=AFTER_Q1)
    session.commit()

    assert balance(session, ledger, "34551") == 0
    assert balance(session, ledger, "34552") == 0
    assert balance(session, ledger, "4455") == 0
    credit = Decimal("2000.00") + Decimal("200.00") - Decimal("200.00")
    assert balance(session, ledger, "3456") == credit
    assert (saved.deductible_fixed_assets, saved.deductible_expenses, saved.credit) == (
        Decimal("2000.00"),
        Decimal("200.00"),
        credit,
    )


def test_vat_collected_on_4455_and_on_its_sub_accounts_alike_is_cleared(session, ledger, post):
    in_debit_regime(session, ledger)
    services.add_account(session, ledger.id, "44551", "TVA facturée sur prestations")
    session.commit()
    post(
        ledger,
        date(2026, 1, 12),
        ("5141", "1200.00", "", ""),
        ("7124", "", "1000.00", ""),
        ("44551", "", "200.00", ""),
    )
    post(
        ledger,
        date(2026, 2, 12),
        ("5141", "550.00", "", ""),
        ("7127", "", "500.00", ""),
        ("4455", "", "50.00", ""),
    )

    saved = vat_settlement.validate_return(session, ledger.id, Q1, actor=None, today=AFTER_Q1)
    session.commit()

    assert saved.collected == Decimal("200.00") + Decimal("50.00")
    assert balance(session, ledger, "44551") == 0
    assert balance(session, ledger, "4455") == 0
    settlement = session.get(Entry, saved.entry_id)
    assert {(line.account.code, line.debit) for line in settlement.lines if line.debit} == {
        ("44551", Decimal("200.00")),
        ("4455", Decimal("50.00")),
    }


def test_other_vat_accounts_set_on_the_ledger_are_read_and_settled(session, ledger, post):
    in_debit_regime(session, ledger)
    services.add_account(session, ledger.id, "4459", "TVA facturée (plan maison)")
    session.commit()
    vat_settings.update_settings(session, ledger.id, accounts={"vat_collected_account": "4459"})
    post(
        ledger,
        date(2026, 3, 2),
        ("5141", "1200.00", "", ""),
        ("7124", "", "1000.00", ""),
        ("4459", "", "200.00", ""),
    )

    saved = vat_settlement.validate_return(session, ledger.id, Q1, actor=None, today=AFTER_Q1)
    session.commit()

    assert saved.collected == Decimal("200.00")
    assert balance(session, ledger, "4459") == 0


@pytest.fixture
def paid_not_matched(ledger, post):
    """Collection regime: an invoice of 1,200.00 (VAT 200.00) paid in February, the payment
    not matched with it."""
    invoice = post(
        ledger,
        date(2026, 2, 1),
        ("3421", "1200.00", "", "HOTEL"),
        ("7124", "", "1000.00", ""),
        ("4455", "", "200.00", ""),
    )
    payment = post(
        ledger, date(2026, 2, 20), ("5141", "1200.00", "", ""), ("3421", "", "1200.00", "HOTEL")
    )
    return ledger, invoice, payment


def test_a_quarter_paid_but_not_matched_lists_what_it_leaves_out(session, paid_not_matched):
    ledger, invoice, payment = paid_not_matched
    draft = vat_return.compute_return(session, ledger.id, Q1, Q1_END)

    assert draft.line_130 == 0
    assert [(item.number, item.open_amount, item.vat) for item in draft.unpaid] == [
        (invoice.number, Decimal("1200.00"), Decimal("200.00"))
    ]
    assert [(item.number, item.open_amount) for item in draft.unmatched] == [
        (payment.number, Decimal("1200.00"))
    ]
    assert (draft.unpaid_total, draft.unpaid_vat, draft.unmatched_total) == (
        Decimal("1200.00"),
        Decimal("200.00"),
        Decimal("1200.00"),
    )


def test_a_sale_without_vat_left_unpaid_is_neither_an_invoice_nor_a_payment_left_out(
    session, ledger, post
):
    post(ledger, date(2026, 2, 1), ("3421", "800.00", "", "SOUK"), ("7121", "", "800.00", ""))
    draft = vat_return.compute_return(session, ledger.id, Q1, Q1_END)
    assert (draft.unpaid, draft.unmatched) == ([], [])


def test_validating_what_it_leaves_out_needs_a_confirmation(session, paid_not_matched):
    ledger = paid_not_matched[0]
    before = snapshot(session)
    with pytest.raises(vat_settings.VatReturnRefused, match="confirm"):
        vat_settlement.validate_return(session, ledger.id, Q1, actor=None, today=AFTER_Q1)
    session.rollback()
    assert_unchanged(session, before)

    saved = vat_settlement.validate_return(
        session, ledger.id, Q1, actor=None, today=AFTER_Q1, confirm_left_out=True
    )
    session.commit()
    assert saved.collected == 0


def test_a_matched_payment_counts_and_needs_no_confirmation(session, paid_not_matched):
    ledger, invoice, payment = paid_not_matched
    lines = [line.id for entry in (invoice, payment) for line in entry.lines if line.partner]
    matching.match_lines(session, ledger.id, lines)
    session.commit()

    draft = vat_return.compute_return(session, ledger.id, Q1, Q1_END)
    assert (draft.unpaid, draft.unmatched, draft.line_130) == ([], [], Decimal("200.00"))
    vat_settlement.validate_return(session, ledger.id, Q1, actor=None, today=AFTER_Q1)
    session.commit()
    assert balance(session, ledger, "4455") == 0


def test_the_page_lists_the_lines_left_out_and_asks_for_the_confirmation(
    client, login_as, session, paid_not_matched
):
    ledger, invoice, payment = paid_not_matched
    login_as("accountant")
    url = f"/accounting/ledgers/{ledger.id}/vat/2026-01-01"

    page = client.get(url).text
    assert 'id="vat-unpaid"' in page and 'id="vat-unmatched"' in page
    assert invoice.number in page and payment.number in page
    assert "1\u202f200,00\xa0MAD" in page and "200,00\xa0MAD" in page
    assert f"/accounting/ledgers/{ledger.id}/matching/lines?account=3421&amp;partner=HOTEL" in page
    assert 'name="confirm_left_out"' in page

    before = snapshot(session)
    refused = client.post(f"{url}/validate", data={})
    assert refused.status_code == 422
    assert 'id="vat-refusal"' in refused.text and "confirm" in refused.text.lower()
    assert_unchanged(session, before)

    accepted = client.post(f"{url}/validate", data={"confirm_left_out": "y"})
    assert accepted.status_code == 302
    assert session.scalar(select(func.count(VatReturn.id))) == 1


def test_settings_change_until_a_return_of_the_year_is_validated(session, ledger, post):
    vat_settings.update_settings(session, ledger.id, vat_period="monthly", vat_regime="debit")
    vat_settings.update_settings(session, ledger.id, vat_period="quarterly")
    post(
        ledger,
        date(2026, 2, 1),
        ("5141", "120.00", "", ""),
        ("7124", "", "100.00", ""),
        ("4455", "", "20.00", ""),
    )
    vat_settlement.validate_return(session, ledger.id, Q1, actor=None, today=AFTER_Q1)
    session.commit()

    before = snapshot(session)
    with pytest.raises(vat_settings.VatReturnRefused, match="2026"):
        vat_settings.update_settings(session, ledger.id, vat_regime="collection")
    session.rollback()
    assert_unchanged(session, before)


def test_bad_vat_accounts_are_refused_field_by_field(session, ledger):
    with pytest.raises(ValidationError) as refused:
        vat_settings.update_settings(
            session,
            ledger.id,
            accounts={
                "vat_collected_account": "44x",
                "vat_credit_account": "3499",
                "vat_due_account": "4455",
            },
        )
    errors = {name: str(messages[0]) for name, messages in refused.value.field_errors.items()}
    assert set(errors) == {"vat_collected_account"}
    with pytest.raises(ValidationError) as refused:
        vat_settings.update_settings(
            session, ledger.id, accounts={"vat_credit_account": "3499", "vat_due_account": "4455"}
        )
    errors = {name: str(messages[0]) for name, messages in refused.value.field_errors.items()}
    assert "3499" in errors["vat_credit_account"]
    assert "4455" in errors["vat_due_account"]


# --- the commands ---------------------------------------------------------------------------


def test_settings_command_prints_the_settings_and_changes_them(runner, session, ledger):
    shown = runner.invoke(args=["accounting", "settings", ledger.code])
    assert shown.exit_code == 0, shown.output
    for line in (
        "vat_period: quarterly",
        "vat_regime: collection",
        "vat_collected_account: 4455",
        "vat_deductible_account: 3455",
        "vat_fixed_assets_account: 34551",
        "vat_credit_account: 3456",
        "vat_due_account: 4456",
    ):
        assert line in shown.output

    changed = runner.invoke(
        args=[
            "accounting",
            "settings",
            ledger.code,
            "--vat-regime",
            "debit",
            "--vat-period",
            "monthly",
        ]
    )
    assert changed.exit_code == 0, changed.output
    assert "vat_period: monthly" in changed.output and "vat_regime: debit" in changed.output
    session.expire_all()
    assert session.get(Ledger, ledger.id).vat_regime == "debit"


def test_settings_command_refuses_a_change_after_a_validated_return(
    runner, session, paid_not_matched
):
    ledger = paid_not_matched[0]
    vat_settlement.validate_return(
        session, ledger.id, Q1, actor=None, today=AFTER_Q1, confirm_left_out=True
    )
    session.commit()
    before = snapshot(session)

    refused = runner.invoke(args=["accounting", "settings", ledger.code, "--vat-regime", "debit"])

    assert refused.exit_code != 0
    assert "2026" in refused.output
    assert_unchanged(session, before)


def test_vat_return_command_in_text_and_json(runner, paid_not_matched):
    ledger, invoice, payment = paid_not_matched
    text = runner.invoke(args=["accounting", "vat-return", ledger.code, "--period", "2026-Q1"])
    assert text.exit_code == 0, text.output
    assert "2026-01-01 to 2026-03-31" in text.output
    assert "Invoices unpaid: 1, 1200.00" in text.output
    assert "Payments unmatched: 1, 1200.00" in text.output

    as_json = runner.invoke(
        args=["accounting", "vat-return", ledger.code, "--period", "2026-Q1", "--format", "json"]
    )
    document = json.loads(as_json.output)
    lines = {line["number"]: line for line in document["lines"] if line["number"]}
    assert lines["130"]["tax"] == "0.00"
    assert [row["entry"] for row in document["unpaid"]] == [invoice.number]
    assert document["unpaid_vat"] == "200.00"
    assert [row["entry"] for row in document["unmatched"]] == [payment.number]
    assert document["settlement_entry"] is None and document["validated"] is False


def test_vat_return_command_validates_only_with_the_confirmation(
    runner, session, paid_not_matched, post
):
    ledger = paid_not_matched[0]
    post(
        ledger,
        date(2026, 3, 5),
        ("6147", "50.00", "", ""),
        ("3455", "10.00", "", ""),
        ("5141", "", "60.00", ""),
    )
    ledger_id, code = ledger.id, ledger.code  # a refused command rolls back: objects expire
    before = snapshot(session)
    refused = runner.invoke(
        args=["accounting", "vat-return", code, "--period", "2026-Q1", "--validate"]
    )
    assert refused.exit_code != 0
    assert "confirm" in refused.output
    assert_unchanged(session, before)

    validated = runner.invoke(
        args=[
            "accounting",
            "vat-return",
            code,
            "--period",
            "2026-Q1",
            "--validate",
            "--confirm-unmatched",
            "--format",
            "json",
        ]
    )
    assert validated.exit_code == 0, validated.output
    document = json.loads(validated.output)
    saved = session.scalar(select(VatReturn).where(VatReturn.ledger_id == ledger_id))
    assert document["validated"] is True
    assert document["settlement_entry"] == session.get(Entry, saved.entry_id).number


def test_vat_return_command_names_a_period_it_cannot_read(runner, ledger):
    refused = runner.invoke(args=["accounting", "vat-return", ledger.code, "--period", "2026-03"])
    assert refused.exit_code != 0
    assert "2026-Q1" in refused.output
