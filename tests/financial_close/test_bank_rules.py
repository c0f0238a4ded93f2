"""The bank rules page of a ledger: adding, editing, deactivating, reordering and deleting
the rules changes the account proposed for a bank line; bad input changes nothing;
presidents only read their own ledger's rules."""

import pytest
from sqlalchemy import func, select

from financial_close import bank
from financial_close.models import BankLine, BankRule
from gie.cooperatives.models import Cooperative
from tests.accounting.conftest import make_ledger  # noqa: F401  (fixture)
from tests.financial_close.test_bank_import import CIH, DATA


@pytest.fixture
def books(session, make_ledger):  # noqa: F811
    """A ledger with the CIH statement of March imported (its last line: the account fee,
    "FRAIS TENUE DE COMPTE")."""
    ledger = make_ledger()
    cih = bank.save_bank_format(session, CIH)
    account = bank.add_bank_account(
        session, ledger.id, name="CIH", account_code="5141", bank_format_id=cih.id
    )
    statement = bank.import_statement(
        session, account.id, (DATA / "cih_march.csv").read_bytes(), "cih_march.csv"
    ).statement
    session.commit()
    fee = bank.statement_lines(session, statement.id)[4]
    return {
        "ledger_id": ledger.id,
        "cooperative_id": ledger.cooperative_id,
        "account_id": account.id,
        "fee_id": fee.id,
    }


def _proposed(session, books) -> str | None:
    session.expire_all()
    rule = bank.rule_for(session, session.get(BankLine, books["fee_id"]))
    return rule.account_code if rule else None


def _rule(session, pattern: str) -> BankRule:
    session.expire_all()
    return session.scalar(select(BankRule).where(BankRule.pattern == pattern))


def _rules_url(books, suffix: str = "") -> str:
    return f"/accounting/ledgers/{books['ledger_id']}/bank/rules{suffix}"


def _add(client, books, **fields):
    data = {"pattern": "", "account_code": "", "label": "", **fields}
    return client.post(_rules_url(books), data=data, follow_redirects=True)


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(BankRule))


def test_bank_accounts_page_links_to_the_rules(client, login_as, books):
    login_as("accountant", locale="en")
    page = client.get(f"/accounting/ledgers/{books['ledger_id']}/bank").text
    assert f'href="{_rules_url(books)}"' in page


def test_added_rules_propose_their_account_ledger_rules_before_global_ones(
    client, session, login_as, books
):
    login_as("accountant", locale="en")
    assert _proposed(session, books) is None
    response = _add(client, books, pattern="frais", account_code="6147", all_ledgers="y")
    assert "Rule “frais” added." in response.text
    assert _rule(session, "frais").ledger_id is None
    assert _proposed(session, books) == "6147"
    response = _add(
        client, books, pattern="TENUE DE COMPTE", account_code="6145", label="Tenue de compte"
    )
    assert "Rule “TENUE DE COMPTE” added." in response.text
    assert _rule(session, "TENUE DE COMPTE").ledger_id == books["ledger_id"]
    assert _proposed(session, books) == "6145"
    page = client.get(_rules_url(books)).text
    assert page.index("TENUE DE COMPTE") < page.index("Rules of all ledgers") < page.index("frais")
    line_page = client.get(f"/accounting/bank/lines/{books['fee_id']}").text
    assert 'value="6145"' in line_page and 'value="Tenue de compte"' in line_page


def test_editing_a_rule_changes_the_proposed_account(client, session, login_as, books):
    login_as("accountant", locale="en")
    _add(client, books, pattern="FRAIS", account_code="6147")
    rule = _rule(session, "FRAIS")
    response = client.post(
        _rules_url(books, f"/{rule.id}"),
        data={"pattern": "FRAIS TENUE", "account_code": "6145", "label": "Tenue"},
        follow_redirects=True,
    )
    assert "Rule “FRAIS TENUE” saved." in response.text
    assert _proposed(session, books) == "6145"
    assert _rule(session, "FRAIS TENUE").label == "Tenue"


def test_deactivated_rule_proposes_nothing_until_activated_again(client, session, login_as, books):
    login_as("accountant", locale="en")
    _add(client, books, pattern="FRAIS", account_code="6147")
    rule_id = _rule(session, "FRAIS").id
    response = client.post(
        _rules_url(books, f"/{rule_id}/active"), data={"active": "0"}, follow_redirects=True
    )
    assert "Rule “FRAIS” deactivated." in response.text
    assert "Deactivated" in response.text and "Activate" in response.text
    assert _proposed(session, books) is None
    response = client.post(
        _rules_url(books, f"/{rule_id}/active"), data={"active": "1"}, follow_redirects=True
    )
    assert "Rule “FRAIS” activated." in response.text
    assert _proposed(session, books) == "6147"


def test_moving_a_rule_up_makes_it_win(client, session, login_as, books):
    login_as("accountant", locale="en")
    _add(client, books, pattern="FRAIS", account_code="6147")
    _add(client, books, pattern="TENUE", account_code="6145")
    assert _proposed(session, books) == "6147"
    second = _rule(session, "TENUE").id
    page = client.post(
        _rules_url(books, f"/{second}/move"), data={"direction": "up"}, follow_redirects=True
    ).text
    assert page.index('data-rule="TENUE"') < page.index('data-rule="FRAIS"')
    assert _proposed(session, books) == "6145"
    # already first of the ledger's rules: moving up again changes nothing
    client.post(_rules_url(books, f"/{second}/move"), data={"direction": "up"})
    assert _proposed(session, books) == "6145"
    client.post(_rules_url(books, f"/{second}/move"), data={"direction": "down"})
    assert _proposed(session, books) == "6147"


def test_deleting_a_rule_lets_the_next_one_propose(client, session, login_as, books):
    login_as("accountant", locale="en")
    _add(client, books, pattern="FRAIS", account_code="6147")
    _add(client, books, pattern="TENUE", account_code="6145")
    page = client.get(_rules_url(books)).text
    assert 'data-confirm="Delete the rule “FRAIS”?"' in page
    response = client.post(
        _rules_url(books, f"/{_rule(session, 'FRAIS').id}/delete"), follow_redirects=True
    )
    assert "Rule “FRAIS” deleted." in response.text
    assert _rule(session, "FRAIS") is None
    assert _proposed(session, books) == "6145"


def test_bad_rules_are_refused_with_a_message_and_change_nothing(client, session, login_as, books):
    login_as("accountant", locale="en")
    empty = client.post(_rules_url(books), data={"pattern": " ", "account_code": "6147"})
    assert empty.status_code == 422
    assert "Give at least two characters of the label." in empty.text
    unknown = client.post(_rules_url(books), data={"pattern": "FRAIS", "account_code": "6149"})
    assert unknown.status_code == 422
    assert "Account 6149 does not exist in these books." in unknown.text
    assert 'value="FRAIS"' in unknown.text  # what was typed stays in the form
    assert _count(session) == 0

    _add(client, books, pattern="FRAIS", account_code="6147")
    rule_id = _rule(session, "FRAIS").id
    refused = client.post(
        _rules_url(books, f"/{rule_id}"),
        data={"pattern": "", "account_code": "9999", "label": "Autre"},
    )
    assert refused.status_code == 422
    assert "Give at least two characters of the label." in refused.text
    assert "Account 9999 does not exist in these books." in refused.text
    rule = _rule(session, "FRAIS")
    assert (rule.account_code, rule.label) == ("6147", "")
    assert _proposed(session, books) == "6147"


def test_a_global_rule_may_name_an_account_this_chart_lacks(client, session, login_as, books):
    """Other ledgers may have opened the sub-account; the code must still be digits."""
    login_as("accountant", locale="en")
    response = _add(client, books, pattern="FRAIS", account_code="61471", all_ledgers="y")
    assert "Rule “FRAIS” added." in response.text
    refused = client.post(
        _rules_url(books), data={"pattern": "AGIOS", "account_code": "abc", "all_ledgers": "y"}
    )
    assert "An account code is 2 to 12 digits" in refused.text
    assert _count(session) == 1


def test_president_reads_own_rules_and_gets_404_on_another_cooperative(
    client,
    session,
    login_as,
    books,
    make_ledger,  # noqa: F811
):
    bank.save_rule(session, ledger_id=books["ledger_id"], pattern="FRAIS", account_code="6147")
    other = make_ledger()
    other_rule = bank.save_rule(
        session, ledger_id=other.id, pattern="AGIOS", account_code="6311", label="Agios"
    )
    session.commit()
    other_ids = (other.id, other_rule.id)
    login_as("president", session.get(Cooperative, books["cooperative_id"]), locale="en")
    page = client.get(_rules_url(books))
    assert page.status_code == 200
    assert "FRAIS" in page.text and "6147" in page.text
    assert "AGIOS" not in page.text
    assert "Add a rule" not in page.text and "Delete" not in page.text
    rule_id = _rule(session, "FRAIS").id
    assert client.post(_rules_url(books, f"/{rule_id}/delete")).status_code == 403
    assert client.post(_rules_url(books), data={"pattern": "XX"}).status_code == 403
    assert client.get(f"/accounting/ledgers/{other_ids[0]}/bank/rules").status_code == 404
    assert _count(session) == 2


def test_a_rule_of_another_ledger_is_not_found_through_this_one(
    client,
    session,
    login_as,
    books,
    make_ledger,  # noqa: F811
):
    other = make_ledger()
    other_rule = bank.save_rule(session, ledger_id=other.id, pattern="AGIOS", account_code="6311")
    session.commit()
    rule_id = other_rule.id
    login_as("accountant", locale="en")
    response = client.post(_rules_url(books, f"/{rule_id}/delete"))
    assert response.status_code == 404
    assert _rule(session, "AGIOS") is not None
    assert _count(session) == 1
