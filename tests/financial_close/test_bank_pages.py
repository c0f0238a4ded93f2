"""The bank pages: bank accounts and formats, statement import, accepting a suggestion,
entries from bank lines, the reconciliation view; presidents only read their own."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from accounting import services as accounting
from financial_close import bank
from financial_close.models import BankLine, BankRule
from gie.cooperatives.models import Cooperative
from tests.accounting.conftest import make_ledger  # noqa: F401  (fixture)
from tests.financial_close.helpers import cih_account, customer_payment
from tests.financial_close.test_bank_import import ATTIJARI, CIH, DATA
from tests.snapshot import assert_unchanged, snapshot


@pytest.fixture
def setup(session, make_ledger):  # noqa: F811
    """Books with the customer's payment of FA-2026-00012 posted, a CIH bank account."""
    ledger = make_ledger()
    customer_payment(session, ledger.id, date(2026, 3, 4))
    account = cih_account(session, ledger.id, "CIH Tétouan")
    session.commit()
    # ids: the objects are detached once a request has ended its session
    return {
        "ledger_id": ledger.id,
        "account_id": account.id,
        "cooperative_id": ledger.cooperative_id,
    }


def _upload(client, account_id: int, content: bytes, **fields):
    data = {"source": "csv", "bank_format_id": "", **fields}
    data["file"] = (io.BytesIO(content), "releve.csv")
    return client.post(
        f"/accounting/bank/accounts/{account_id}/import",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _import(session, setup):
    result = bank.import_statement(
        session, setup["account_id"], (DATA / "cih_march.csv").read_bytes(), "cih_march.csv"
    )
    session.commit()
    return result.statement


def test_accountant_adds_a_bank_account_on_a_51xx_account(client, login_as, make_ledger):  # noqa: F811
    login_as("accountant", locale="en")
    ledger = make_ledger()
    page = client.get(f"/accounting/ledgers/{ledger.id}/bank")
    assert "5141" in page.text and "6147" not in page.text
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/bank",
        data={"name": "Banque Populaire Tétouan", "account_code": "5146", "bank_format_id": ""},
        follow_redirects=True,
    )
    assert "Banque Populaire Tétouan" in response.text
    assert (
        client.get(f"/accounting/ledgers/{ledger.id}/bank").text.count("Banque Populaire Tétouan")
        == 1
    )


def test_accountant_describes_a_bank_format(client, login_as):
    login_as("accountant", locale="en")
    data = {key: str(value) for key, value in CIH.items()}
    response = client.post("/accounting/bank/formats/new", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "CIH Bank" in client.get("/accounting/bank/formats").text
    again = client.post("/accounting/bank/formats/new", data=data)
    assert again.status_code == 422


def test_statement_imported_on_the_page_then_the_same_file_adds_nothing(
    client, session, login_as, setup
):
    login_as("accountant", locale="en")
    content = (DATA / "cih_march.csv").read_bytes()
    first = _upload(client, setup["account_id"], content)
    assert "5 lines added, 0 already known" in first.text
    assert "FRAIS TENUE DE COMPTE" in first.text
    second = _upload(client, setup["account_id"], content)
    assert "already imported: nothing was added" in second.text
    count = select(func.count()).select_from(BankLine)
    assert session.scalar(count.where(BankLine.bank_account_id == setup["account_id"])) == 5


def test_a_file_whose_balances_do_not_follow_is_refused_with_its_line(
    client, session, login_as, setup
):
    login_as("accountant", locale="en")
    content = (DATA / "cih_march.csv").read_bytes().replace(b"15\xa0200,00", b"15\xa0210,00")
    before = snapshot(session)
    response = _upload(client, setup["account_id"], content)
    assert response.status_code == 422
    assert "The balances of the file do not add up." in response.text
    assert '<td class="num">5</td>' in response.text
    assert_unchanged(session, before)


def test_a_file_without_balances_asks_for_them(client, session, login_as, setup):
    login_as("accountant", locale="en")
    content = (DATA / "attijari_april.csv").read_bytes()
    attijari = bank.save_bank_format(session, ATTIJARI)
    session.commit()
    attijari_id = str(attijari.id)
    refused = _upload(client, setup["account_id"], content, bank_format_id=attijari_id)
    assert "give the opening and closing balances" in refused.text
    done = _upload(
        client,
        setup["account_id"],
        content,
        bank_format_id=attijari_id,
        opening_balance="1 000,00",
        closing_balance="2 079,50",
    )
    assert "2 lines added" in done.text


def test_accepting_a_suggestion_reconciles_the_line_and_locks_it(client, session, login_as, setup):
    login_as("accountant", locale="en")
    statement = _import(session, setup)
    page = client.get(f"/accounting/bank/statements/{statement.id}")
    assert "FA-2026-00012" in page.text
    receipt = bank.statement_lines(session, statement.id)[0]
    (suggestion,) = bank.suggestions(session, receipt.id)
    response = client.post(
        f"/accounting/bank/lines/{receipt.id}/reconcile",
        data={"line_id": str(suggestion.line.id), "back": "statement"},
        follow_redirects=True,
    )
    assert "Bank line reconciled." in response.text
    reconciled = client.get(f"/accounting/bank/statements/{statement.id}?status=reconciled").text
    assert "VIR RECU CLIENT FA-2026-00012" in reconciled
    assert "FRAIS TENUE DE COMPTE" not in reconciled
    open_lines = client.get(f"/accounting/bank/statements/{statement.id}?status=open").text
    assert "VIR RECU CLIENT" not in open_lines
    line_page = client.get(f"/accounting/bank/lines/{receipt.id}").text
    assert "Undo reconciliation" in line_page and "Encaissement client" in line_page
    again = client.post(
        f"/accounting/bank/lines/{receipt.id}/reconcile",
        data={"line_id": str(suggestion.line.id)},
        follow_redirects=True,
    )
    assert "already reconciled" in again.text
    undone = client.post(f"/accounting/bank/lines/{receipt.id}/undo", follow_redirects=True)
    assert "the line is open again" in undone.text


def test_entry_from_a_line_uses_and_remembers_rules(client, session, login_as, setup):
    login_as("accountant", locale="en")
    statement = _import(session, setup)
    lines = bank.statement_lines(session, statement.id)
    fee, account_fee = lines[1], lines[4]
    response = client.post(
        f"/accounting/bank/lines/{fee.id}/entry",
        data={
            "account_code": "6147",
            "label": "Frais de virement",
            "remember": "y",
            "pattern": "FRAIS",
        },
        follow_redirects=True,
    )
    assert "posted and reconciled" in response.text
    assert "Rule remembered" in response.text
    rule = session.scalar(select(BankRule).where(BankRule.ledger_id == setup["ledger_id"]))
    assert (rule.pattern, rule.account_code) == ("FRAIS", "6147")
    # the next fee gets the account from the rule
    page = client.get(f"/accounting/bank/lines/{account_fee.id}").text
    assert 'value="6147"' in page


def test_a_refused_posting_shows_the_reason(client, session, login_as, setup):
    login_as("accountant", locale="en")
    statement = _import(session, setup)
    accounting.set_lock_date(session, setup["ledger_id"], date(2026, 12, 31))
    session.commit()
    fee_id = bank.statement_lines(session, statement.id)[4].id
    before = snapshot(session)
    response = client.post(
        f"/accounting/bank/lines/{fee_id}/entry",
        data={"account_code": "6147", "remember": "y", "pattern": "FRAIS"},
    )
    assert response.status_code == 422
    assert "The books are locked up to 2026-12-31." in response.text
    assert_unchanged(session, before)  # no entry, no reconciliation, no rule remembered


def test_reconciliation_page_explains_the_difference(client, session, login_as, setup):
    login_as("accountant", locale="en")
    _import(session, setup)
    page = client.get(f"/accounting/bank/accounts/{setup['account_id']}/reconciliation")
    assert page.status_code == 200
    assert 'data-bank-balance="15165.00"' in page.text
    assert "FRAIS TENUE DE COMPTE" in page.text  # a bank line not yet in the books
    assert 'data-check="ok"' in page.text


def test_statement_exports_as_csv(client, session, login_as, setup):
    login_as("accountant", locale="en")
    statement = _import(session, setup)
    export = client.get(f"/accounting/bank/statements/{statement.id}/export.csv")
    assert export.mimetype == "text/csv"
    assert "2026-03-31,FRAIS TENUE DE COMPTE,,-35.00,15165.00" in export.text


def test_president_reads_own_bank_pages_and_gets_404_on_others(
    client,
    session,
    login_as,
    setup,
    make_ledger,  # noqa: F811
):
    statement = _import(session, setup)
    own = session.get(Cooperative, setup["cooperative_id"])
    login_as("president", own, locale="en")
    page = client.get(f"/accounting/bank/statements/{statement.id}")
    assert page.status_code == 200 and "FRAIS TENUE DE COMPTE" in page.text
    assert "Accept" not in page.text
    account_page = client.get(f"/accounting/bank/accounts/{setup['account_id']}")
    assert "Import a statement" not in account_page.text
    line = bank.statement_lines(session, statement.id)[0]
    assert client.post(f"/accounting/bank/lines/{line.id}/undo").status_code == 403
    other = make_ledger()
    other_account = bank.add_bank_account(
        session, other.id, name="Autre banque", account_code="5141"
    )
    session.commit()
    other_ids = (other.id, other_account.id)
    assert client.get(f"/accounting/bank/accounts/{other_ids[1]}").status_code == 404
    assert client.get(f"/accounting/ledgers/{other_ids[0]}/bank").status_code == 404
