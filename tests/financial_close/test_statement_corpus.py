"""Statements as real banks send them (OFX 1 and 2, card statements, MT940, CAMT.053), from
the corpus in data/statements/: each file's outcome, lines, sums and dates written below,
checked through the service, the page and the command; mutated files are imported or
refused, never an unexpected exception."""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from financial_close import bank, statement_files
from financial_close.models import BankAccount, BankLine, BankStatement
from gie.errors import DomainError, ImportFailed
from tests.accounting.conftest import ledger, make_ledger  # noqa: F401  (fixtures)
from tests.financial_close.test_bank_import import DATA
from tests.snapshot import assert_unchanged, snapshot

STATEMENTS = DATA / "statements"


@dataclass
class Read:
    """One statement of a file as the test expects it."""

    account_id: str
    lines: list[tuple[str, str]]  #: (date written in the file, amount)
    checked: bool = True  #: whether the file's balances checked the lines

    @property
    def total(self) -> Decimal:
        return sum((Decimal(amount) for _on, amount in self.lines), Decimal("0"))


@dataclass
class Expected:
    source: str
    statements: list[Read] = field(default_factory=list)
    refusal: str = ""  #: part of the refusal's message or reasons, when refused


RIB = "011780000123456789012345"
ACCEPTED = {
    "two_accounts.ofx": Expected(
        "ofx",
        [
            Read(
                "0001234567",
                [("2026-04-03", "1500.00"), ("2026-04-15", "-250.40"), ("2026-04-30", "-35.00")],
                checked=False,
            ),
            Read("0007654321", [("2026-04-10", "800.00"), ("2026-04-20", "-120.00")], False),
        ],
    ),
    "offsets.ofx": Expected(
        "ofx",
        [
            Read(
                "0001234567",
                # 20051004000000[+1:CET] is the 4th, not the 3rd in UTC; 23:00 at -5 the 5th
                [("2005-10-04", "100.00"), ("2005-10-05", "-40.00"), ("2005-10-06", "-10.00")],
                checked=False,
            )
        ],
    ),
    "long_bankid.ofx": Expected(
        "ofx", [Read("0001234567", [("2026-04-03", "1500.00"), ("2026-04-15", "-250.40")], False)]
    ),
    "language_fre.ofx": Expected(
        "ofx", [Read("0001234567", [("2026-04-15", "-250.40"), ("2026-04-30", "-35.00")], False)]
    ),
    "lying_charset.ofx": Expected(
        "ofx", [Read("0001234567", [("2026-04-12", "-64.50"), ("2026-04-18", "300.00")], False)]
    ),
    "no_ledgerbal.ofx": Expected(
        "ofx",
        [
            Read(
                "0001234567",
                [("2026-04-03", "1500.00"), ("2026-04-15", "-250.40"), ("2026-04-30", "-35.00")],
                checked=False,
            )
        ],
    ),
    "two_lists.ofx": Expected(
        "ofx", [Read("0001234567", [("2026-04-03", "1500.00"), ("2026-04-30", "-35.00")], False)]
    ),
    "card.ofx": Expected(
        "ofx",
        [Read("4970XXXXXXXX1234", [("2026-04-06", "-410.00"), ("2026-04-09", "-89.90")], False)],
    ),
    "v2.ofx": Expected(
        "ofx", [Read("0001234567", [("2026-04-02", "720.00"), ("2026-04-21", "-20.00")], False)]
    ),
    "two_days.sta": Expected(
        "mt940",
        [
            Read(RIB, [("2026-04-01", "2020.00"), ("2026-04-01", "-10.00")]),
            Read(RIB, [("2026-04-02", "-1800.00"), ("2026-04-02", "-10.00")]),
        ],
    ),
    "april.camt053.xml": Expected(
        "camt053",
        [
            Read(
                "MA64" + RIB,
                # booked 2026-04-05T23:30:00-01:00: the 5th as written, the 6th in UTC
                [("2026-04-05", "2020.00"), ("2026-04-12", "-1800.00"), ("2026-04-30", "-35.00")],
            )
        ],
    ),
}
REFUSED = {
    "investment.ofx": Expected("ofx", refusal="INVSTMTRS"),
    "balances_only.ofx": Expected("ofx", refusal="STMTTRN"),
    "wrong_currency.ofx": Expected("ofx", refusal="EUR"),
    "unbalanced.camt053.xml": Expected("camt053", refusal="15285.00"),
}


def _reasons(failure: ImportFailed) -> str:
    return " ".join([str(failure.message)] + [str(reason) for _, reason in failure.line_errors])


@pytest.fixture
def accounts(session, ledger):  # noqa: F811
    """Two bank accounts of one ledger, on 5141 and 5146, no account id recorded yet."""
    first = bank.add_bank_account(session, ledger.id, name="CIH Tétouan", account_code="5141")
    second = bank.add_bank_account(session, ledger.id, name="Barid Fès", account_code="5146")
    session.commit()
    return first, second


def _picks(expected: Expected, accounts) -> dict[str, int]:
    """For a file of several accounts, the bank account the user picks for each."""
    ids = [read.account_id for read in expected.statements]
    if len(set(ids)) == 1:
        return {}
    return {
        read.account_id: account.id
        for read, account in zip(expected.statements, accounts, strict=False)
    }


def _lines_of(session, bank_account) -> list[tuple[str, str]]:
    return [
        (line.date.isoformat(), str(line.amount))
        for line in session.scalars(
            select(BankLine)
            .where(BankLine.bank_account_id == bank_account.id)
            .order_by(BankLine.date, BankLine.id)
        )
    ]


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_an_accepted_file_adds_its_lines_once_with_the_dates_written_in_it(session, accounts, name):
    expected = ACCEPTED[name]
    content = (STATEMENTS / name).read_bytes()
    assert statement_files.detect_source(content) == expected.source
    picks = _picks(expected, accounts)

    imported = bank.import_statement(
        session, accounts[0].id, content, name, source="auto", accounts_for=picks
    )

    assert len(imported.results) == len(expected.statements)
    for result, read in zip(imported.results, expected.statements, strict=True):
        assert result.read.account_id == read.account_id
        assert result.read.currency == "MAD"
        assert result.lines_added == len(read.lines)
        assert result.balances_checked is read.checked
        assert result.statement.balances_checked is read.checked
        assert result.bank_account.account_identifier == read.account_id
    by_account: dict[int, list] = {}
    for result, read in zip(imported.results, expected.statements, strict=True):
        by_account.setdefault(result.bank_account.id, []).extend(read.lines)
    for account in accounts:
        wanted = sorted(by_account.get(account.id, []))
        found = _lines_of(session, account)
        assert sorted(found) == wanted
        assert sum((Decimal(a) for _, a in found), Decimal("0")) == sum(
            (Decimal(a) for _, a in wanted), Decimal("0")
        )

    again = bank.import_statement(
        session, accounts[0].id, content, name, source="auto", accounts_for=picks
    )
    assert again.already_imported
    assert (again.lines_added, again.lines_skipped) == (
        0,
        sum(len(read.lines) for read in expected.statements),
    )


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_file_says_why_and_saves_nothing(session, accounts, name):
    before = snapshot(session)
    with pytest.raises(ImportFailed) as failure:
        bank.import_statement(
            session, accounts[0].id, (STATEMENTS / name).read_bytes(), name, source="auto"
        )
    assert REFUSED[name].refusal in _reasons(failure.value)
    session.rollback()
    assert_unchanged(session, before)


def test_another_currency_is_refused_saying_both(session, accounts):
    content = (STATEMENTS / "wrong_currency.ofx").read_bytes()
    with pytest.raises(ImportFailed) as failure:
        bank.import_statement(session, accounts[0].id, content, "x.ofx", source="ofx")
    assert "EUR" in str(failure.value.message) and "MAD" in str(failure.value.message)


def test_another_account_is_refused_saying_both_ids(session, accounts):
    bank.import_statement(
        session, accounts[0].id, (STATEMENTS / "two_days.sta").read_bytes(), "r.sta", source="mt940"
    )
    # the IBAN of the CAMT.053 file carries the RIB the MT940 file recorded: same account
    camt = bank.import_statement(
        session,
        accounts[0].id,
        (STATEMENTS / "april.camt053.xml").read_bytes(),
        "a.xml",
        source="camt053",
    )
    assert camt.lines_added == 3
    with pytest.raises(ImportFailed) as failure:
        bank.import_statement(
            session, accounts[0].id, (STATEMENTS / "v2.ofx").read_bytes(), "v2.ofx", source="ofx"
        )
    assert RIB in str(failure.value.message) and "0001234567" in str(failure.value.message)


def test_statements_of_unknown_accounts_refuse_the_file_naming_them(session, accounts):
    content = (STATEMENTS / "two_accounts.ofx").read_bytes()
    v2 = (STATEMENTS / "v2.ofx").read_bytes()
    bank.import_statement(session, accounts[0].id, v2, "v2.ofx", source="ofx")
    session.commit()
    with pytest.raises(bank.StatementsWithoutAccount) as failure:
        bank.import_statement(session, accounts[0].id, content, "two.ofx", source="ofx")
    # the first statement's account is known (v2.ofx recorded it), the second is not
    assert failure.value.account_ids == ["0007654321"]
    assert "0007654321" in _reasons(failure.value)


def test_an_ofx_statement_is_checked_against_an_opening_balance_given(session, accounts):
    content = (STATEMENTS / "two_lists.ofx").read_bytes()
    with pytest.raises(ImportFailed, match="not the closing balance"):
        bank.import_statement(
            session, accounts[0].id, content, "x.ofx", source="ofx", opening_balance=Decimal(0)
        )
    imported = bank.import_statement(
        session,
        accounts[0].id,
        content,
        "x.ofx",
        source="ofx",
        opening_balance=Decimal("-250.00"),
    )
    assert imported.results[0].balances_checked
    assert imported.statement.opening_balance == Decimal("-250.00")


def test_an_unbalanced_mt940_statement_is_refused_naming_it(session, accounts):
    content = (STATEMENTS / "two_days.sta").read_bytes().replace(b"15200,00", b"15190,00")
    with pytest.raises(ImportFailed) as failure:
        bank.import_statement(session, accounts[0].id, content, "r.sta", source="mt940")
    assert "REL260402" in _reasons(failure.value)
    assert session.scalar(select(func.count()).select_from(BankStatement)) == 0


# --- the page --------------------------------------------------------------------------------


def _upload(client, account_id: int, name: str, **fields):
    data = {"source": ACCEPTED.get(name, REFUSED.get(name)).source, "bank_format_id": "", **fields}
    data["file"] = (io.BytesIO((STATEMENTS / name).read_bytes()), name)
    return client.post(
        f"/accounting/bank/accounts/{account_id}/import",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_page_imports_a_file_of_two_accounts_once_the_user_picks_them(
    client, login_as, session, accounts
):
    login_as("accountant", locale="en")
    first, second = (account.id for account in accounts)
    refused = _upload(client, first, "two_accounts.ofx")
    assert refused.status_code == 422
    assert "0001234567" in refused.text and "0007654321" in refused.text
    assert 'name="account_for-0007654321"' in refused.text

    page = _upload(
        client,
        first,
        "two_accounts.ofx",
        **{"account_for-0001234567": str(first), "account_for-0007654321": str(second)},
    )
    assert page.status_code == 200
    assert "3 lines added" in page.text and "2 lines added" in page.text
    assert "not checked" in page.text
    assert session.get(BankAccount, second).account_identifier == "0007654321"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_page_refuses_a_file_with_its_reason_never_a_500(client, login_as, accounts, name):
    login_as("accountant", locale="en")
    page = _upload(client, accounts[0].id, name)
    assert page.status_code == 422
    assert REFUSED[name].refusal in page.text


def test_page_imports_a_camt053_file_in_french(client, login_as, session, accounts):
    login_as("accountant", locale="fr")
    page = _upload(client, accounts[0].id, "april.camt053.xml")
    assert page.status_code == 200
    assert "dans CIH Tétouan" in page.text and "0 déjà connues" in page.text
    assert _lines_of(session, accounts[0])[0] == ("2026-04-05", "2020.00")


# --- the command -----------------------------------------------------------------------------


def test_command_imports_once_then_adds_nothing(runner, session, ledger):  # noqa: F811
    path = str(STATEMENTS / "two_days.sta")
    first = runner.invoke(args=["bank", "import", ledger.code, "5141", path])
    assert first.exit_code == 0, first.output
    assert "2 lines added, 0 already imported" in first.output
    again = runner.invoke(args=["bank", "import", ledger.code, "5141", path, "--format", "mt940"])
    assert again.exit_code == 0, again.output
    assert "0 lines added, 2 already imported" in again.output
    account = session.scalar(select(BankAccount).where(BankAccount.ledger_id == ledger.id))
    assert _lines_of(session, account) == [
        (on, amount) for read in ACCEPTED["two_days.sta"].statements for on, amount in read.lines
    ]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_command_refuses_with_the_reason_and_exit_1(runner, session, ledger, name):  # noqa: F811
    before = snapshot(session)
    result = runner.invoke(args=["bank", "import", ledger.code, "5141", str(STATEMENTS / name)])
    assert result.exit_code == 1
    assert REFUSED[name].refusal in result.output
    assert_unchanged(session, before)


# --- mutated files ---------------------------------------------------------------------------

SEEDS = [
    (name, (STATEMENTS / name).read_bytes())
    for name in ("two_accounts.ofx", "v2.ofx", "card.ofx", "two_days.sta", "april.camt053.xml")
]


@st.composite
def mutated(draw):
    name, content = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(content)))
        kind = draw(st.sampled_from(("cut", "delete", "insert", "replace")))
        piece = draw(
            st.sampled_from([b"<", b">", b"</STMTRS>", b"\xe9", b"-", b":61:", b"9" * 20, b""])
            | st.binary(max_size=6)
        )
        if kind == "cut":
            content = content[:position]
        elif kind == "delete":
            content = content[:position] + content[position + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            content = content[:position] + piece + content[position:]
        else:
            content = content[:position] + piece + content[position + len(piece) :]
    return name, content


# The same 150 mutations on every run, so that CI stays reproducible; a new corpus file or a
# new mutation widens them.
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(file=mutated(), source=st.sampled_from(("auto", "ofx", "mt940", "camt053")))
def test_a_mutated_file_is_imported_or_refused_never_an_error(session, accounts, file, source):
    _name, content = file
    try:
        imported = bank.import_statement(
            session, accounts[0].id, content, "mutated", source=source, accounts_for={}
        )
    except DomainError as refusal:
        assert str(refusal.message)
    else:
        assert all(isinstance(r.lines_added, int) for r in imported.results)
        for result in imported.results:
            assert all(isinstance(line.on, date) for line in result.read.lines)
    finally:
        session.rollback()


def test_a_file_nesting_thousands_of_elements_is_refused_not_a_recursion_error():
    content = b"OFXHEADER:100\n\n<OFX>" + b"<STMTRS><BANKTRANLIST>" * 5000
    with pytest.raises(ImportFailed, match="not an OFX"):
        statement_files.read_ofx(content)


def test_missing_closing_tags_never_count_a_transaction_twice():
    content = (
        (STATEMENTS / "two_accounts.ofx")
        .read_bytes()
        .replace(b"</STMTTRN>", b"")
        .replace(b"</STMTRS>", b"")
        .replace(b"</STMTTRNRS>", b"")
    )
    reads = statement_files.read_ofx(content)
    assert [[line.reference for line in read.lines] for read in reads] == [
        ["A1", "A2", "A3"],
        ["B1", "B2"],
    ]
    assert [line.label for line in reads[1].lines] == ["VERSEMENT ESPECES", "CHEQUE 0045671"]


def test_a_camt_file_declaring_an_unknown_encoding_is_refused():
    content = b'<?xml version="1.0" encoding="U-TF-8"?><Document/>'
    with pytest.raises(ImportFailed, match="CAMT.053"):
        statement_files.read_camt053(content)
