"""The accounting reports: figures computed by hand from a few entries, then the pages and
their downloads. Assertions read numbers, codes and amounts, never translated labels."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accounting import matching, services
from accounting.models import Account, FiscalYear, Line
from accounting.reports import books, partners, statements
from accounting.services import LineInput
from gie.errors import NotFound

D = Decimal


def account_id(session, ledger, code):
    return session.scalar(
        select(Account.id).where(Account.ledger_id == ledger.id, Account.code == code)
    )


@pytest.fixture
def post_lines(session):
    """Post an entry from LineInput objects (partners allowed)."""

    def post(
        ledger, lines, *, on, journal="OD", label="Pièce", reference="", closing_opening=False
    ):
        entry = services.save_draft(
            session,
            ledger.id,
            journal_code=journal,
            entry_date=on,
            label=label,
            reference=reference,
            lines=lines,
        )
        services.post_entry(session, entry.id, closing_opening=closing_opening)
        session.commit()
        return entry

    return post


@pytest.fixture
def two_years(session, make_ledger):
    """Books opened in 2025, with the 2026 fiscal year open too."""
    ledger = make_ledger(first_year=2025)
    services.add_fiscal_year(session, ledger.id)
    session.commit()
    return ledger


# --- general ledger ------------------------------------------------------------------------


@pytest.fixture
def bank_books(session, two_years, post):
    ledger = two_years
    services.add_fiscal_year(session, ledger.id)  # 2027
    session.commit()
    post(ledger, (("5141", "5000.00", ""), ("1111", "", "5000.00")), on=date(2025, 2, 1))
    post(ledger, (("6126", "300.00", ""), ("5141", "", "300.00")), on=date(2025, 6, 1))
    # posted out of date order: the report reads by date, then entry number
    post(ledger, (("5141", "100.00", ""), ("3421", "", "100.00")), on=date(2026, 2, 1))
    post(ledger, (("5141", "1200.00", ""), ("7124", "", "1200.00")), on=date(2026, 1, 15))
    post(ledger, (("6126", "200.00", ""), ("5141", "", "200.00")), on=date(2026, 2, 1))
    post(ledger, (("5141", "999.00", ""), ("7124", "", "999.00")), on=date(2027, 1, 5))
    return ledger


def test_general_ledger_opens_with_the_earlier_balance_and_runs_it(session, bank_books):
    ledger = bank_books
    report = books.general_ledger(
        session,
        ledger.id,
        account_id(session, ledger, "5141"),
        date_from=date(2026, 1, 1),
        date_to=date(2026, 12, 31),
    )
    assert report.code == "5141"
    assert report.opening == D("4700.00")  # 5000 - 300 in 2025
    assert [
        (line.date, line.number, line.debit, line.credit, line.balance) for line in report.lines
    ] == [
        (date(2026, 1, 15), "OD-2026-00002", D("1200.00"), D("0.00"), D("5900.00")),
        (date(2026, 2, 1), "OD-2026-00001", D("100.00"), D("0.00"), D("6000.00")),
        (date(2026, 2, 1), "OD-2026-00003", D("0.00"), D("200.00"), D("5800.00")),
    ]
    assert (report.period_debit, report.period_credit) == (D("1300.00"), D("200.00"))
    assert report.closing == D("5800.00")
    assert (report.total, report.pages) == (3, 1)


def test_general_ledger_pages_carry_the_running_balance(session, bank_books):
    ledger = bank_books
    bank = account_id(session, ledger, "5141")
    pages = [
        books.general_ledger(
            session,
            ledger.id,
            bank,
            date_from=date(2026, 1, 1),
            date_to=date(2026, 12, 31),
            page=number,
            size=2,
        )
        for number in (1, 2, 3)
    ]
    assert [[line.balance for line in page.lines] for page in pages] == [
        [D("5900.00"), D("6000.00")],
        [D("5800.00")],
        [],
    ]
    assert {(page.total, page.pages, page.closing) for page in pages} == {(3, 2, D("5800.00"))}


def test_general_ledger_of_a_result_account_restarts_each_fiscal_year(session, bank_books):
    ledger = bank_books
    report = books.general_ledger(
        session,
        ledger.id,
        account_id(session, ledger, "6126"),
        date_from=date(2026, 1, 1),
        date_to=date(2026, 12, 31),
    )
    assert (report.opening, report.closing) == (D("0.00"), D("200.00"))
    # without dates: every line, from nothing
    everything = books.general_ledger(session, ledger.id, account_id(session, ledger, "5141"))
    assert (everything.opening, everything.total, everything.closing) == (
        D("0.00"),
        6,
        D("6799.00"),
    )


def test_general_ledger_refuses_an_account_of_other_books(session, bank_books, make_ledger):
    other = make_ledger()
    with pytest.raises(NotFound):
        books.general_ledger(session, bank_books.id, account_id(session, other, "5141"))


# --- journal -------------------------------------------------------------------------------


def test_journal_lists_posted_entries_with_their_lines_and_totals(session, ledger, post):
    post(
        ledger,
        (("3421", "1200.00", ""), ("7124", "", "1000.00"), ("4455", "", "200.00")),
        on=date(2026, 3, 2),
        journal="VT",
    )
    post(
        ledger,
        (("5141", "1200.00", ""), ("3421", "", "1200.00")),
        on=date(2026, 3, 1),
        journal="BQ",
    )
    post(
        ledger, (("3421", "600.00", ""), ("7124", "", "600.00")), on=date(2026, 4, 1), journal="VT"
    )
    services.save_draft(  # a draft is not in the journal
        session,
        ledger.id,
        journal_code="VT",
        entry_date=date(2026, 3, 3),
        label="Brouillon",
        lines=[LineInput("3421", debit=D("5")), LineInput("7124", credit=D("5"))],
    )
    session.commit()

    everything = books.journal_report(
        session, ledger.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert [entry.number for entry in everything.entries] == [
        "BQ-2026-00001",
        "VT-2026-00001",
        "VT-2026-00002",
    ]
    assert (everything.total_debit, everything.total_credit, everything.total) == (
        D("3000.00"),
        D("3000.00"),
        3,
    )

    sales = books.journal_report(
        session, ledger.id, journal_code="VT", date_to=date(2026, 3, 31), page=1, size=1
    )
    assert (sales.total, sales.pages, sales.total_debit) == (1, 1, D("1200.00"))
    [entry] = sales.entries
    assert [(line.account_code, line.debit, line.credit) for line in entry.lines] == [
        ("3421", D("1200.00"), D("0.00")),
        ("7124", D("0.00"), D("1000.00")),
        ("4455", D("0.00"), D("200.00")),
    ]
    second_page = books.journal_report(session, ledger.id, journal_code="VT", page=2, size=1)
    assert [e.number for e in second_page.entries] == ["VT-2026-00002"]
    assert second_page.total_debit == D("1800.00")  # totals cover the period, not the page


# --- income statement (CPC) ----------------------------------------------------------------


@pytest.fixture
def cpc_books(two_years, post):
    ledger = two_years
    on = date(2026, 5, 1)
    for pairs in (
        (("3421", "12000.00", ""), ("7124", "", "10000.00"), ("4455", "", "2000.00")),
        (("5141", "3000.00", ""), ("7111", "", "3000.00")),
        (("7119", "500.00", ""), ("3421", "", "500.00")),  # rebate granted: lowers 711
        (("5141", "4000.00", ""), ("7161", "", "4000.00")),
        (("6111", "1500.00", ""), ("4411", "", "1500.00")),
        (("6122", "800.00", ""), ("5141", "", "800.00")),
        (("6131", "1200.00", ""), ("5141", "", "1200.00")),
        (("6147", "50.00", ""), ("5141", "", "50.00")),  # 614 shares the 613 line
        (("6171", "2000.00", ""), ("4432", "", "2000.00")),
        (("6193", "600.00", ""), ("2833", "", "600.00")),
        (("6311", "150.00", ""), ("5141", "", "150.00")),
        (("5141", "70.00", ""), ("7381", "", "70.00")),
        (("5141", "900.00", ""), ("7513", "", "900.00")),
        (("6513", "700.00", ""), ("2340", "", "700.00")),
        (("6701", "300.00", ""), ("4453", "", "300.00")),
    ):
        post(ledger, pairs, on=on)
    # the year before, for the N-1 column
    post(ledger, (("5141", "1000.00", ""), ("7124", "", "1000.00")), on=date(2025, 5, 1))
    post(ledger, (("6126", "400.00", ""), ("5141", "", "400.00")), on=date(2025, 6, 1))
    return ledger


def test_income_statement_follows_the_cgnc_cascade(session, cpc_books):
    cpc = statements.income_statement(
        session, cpc_books.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    current = {row.key: row.current for row in cpc.rows if row.level != "heading"}
    previous = {row.key: row.previous for row in cpc.rows if row.level != "heading"}
    expected = {
        "711": "2500.00",
        "712": "10000.00",
        "716": "4000.00",
        "I": "16500.00",
        "611": "1500.00",
        "612": "800.00",
        "613": "1250.00",
        "617": "2000.00",
        "619": "600.00",
        "II": "6150.00",
        "III": "10350.00",
        "738": "70.00",
        "IV": "70.00",
        "631": "150.00",
        "V": "150.00",
        "VI": "-80.00",
        "VII": "10270.00",
        "751": "900.00",
        "VIII": "900.00",
        "651": "700.00",
        "IX": "700.00",
        "X": "200.00",
        "XI": "10470.00",
        "XII": "300.00",
        "XIII": "10170.00",
        "XIV": "17470.00",
        "XV": "7300.00",
        "XVI": "10170.00",
    }
    assert {key: current[key] for key in expected} == {key: D(v) for key, v in expected.items()}
    assert current["713"] == current["718"] == current["659"] == D("0.00")
    assert (previous["I"], previous["712"], previous["II"], previous["612"], previous["XIII"]) == (
        D("1000.00"),
        D("1000.00"),
        D("400.00"),
        D("400.00"),
        D("600.00"),
    )
    assert (cpc.previous_from, cpc.previous_to) == (date(2025, 1, 1), date(2025, 12, 31))
    assert cpc.net_result == D("10170.00")


def test_income_statement_puts_an_unlisted_poste_on_its_rubric_s_other_line(session, ledger, post):
    services.add_account(session, ledger.id, "7150", "Produits divers")
    session.commit()
    post(ledger, (("5141", "40.00", ""), ("7150", "", "40.00")), on=date(2026, 2, 1))
    cpc = statements.income_statement(
        session, ledger.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert (cpc.row("718").current, cpc.row("I").current, cpc.net_result) == (D("40.00"),) * 3


# --- balance sheet (bilan) -----------------------------------------------------------------


@pytest.fixture
def bilan_books(two_years, post):
    ledger = two_years
    post(ledger, (("5141", "10000.00", ""), ("1111", "", "10000.00")), on=date(2025, 1, 10))
    post(ledger, (("2340", "6000.00", ""), ("5141", "", "6000.00")), on=date(2025, 2, 1))
    post(
        ledger,
        (("3421", "2400.00", ""), ("7124", "", "2000.00"), ("4455", "", "400.00")),
        on=date(2025, 3, 1),
    )
    post(ledger, (("6126", "500.00", ""), ("4411", "", "500.00")), on=date(2025, 4, 1))
    # 2025 is never closed: its result stays in classes 6-7
    post(ledger, (("6193", "1200.00", ""), ("2834", "", "1200.00")), on=date(2026, 12, 31))
    post(ledger, (("5141", "1000.00", ""), ("3421", "", "1000.00")), on=date(2026, 2, 1))
    post(ledger, (("3421", "600.00", ""), ("7124", "", "600.00")), on=date(2026, 3, 1))
    post(ledger, (("5141", "300.00", ""), ("5541", "", "300.00")), on=date(2026, 4, 1))
    post(ledger, (("6196", "100.00", ""), ("3942", "", "100.00")), on=date(2026, 12, 31))
    return ledger


def test_balance_sheet_balances_with_the_unclosed_results(session, bilan_books):
    sheet = statements.balance_sheet(session, bilan_books.id, on=date(2026, 12, 31))
    row = sheet.row
    assert (row("23").gross, row("23").less, row("23").net) == (
        D("6000.00"),
        D("1200.00"),
        D("4800.00"),
    )
    assert (row("34").gross, row("34").less, row("34").net) == (
        D("2000.00"),
        D("100.00"),
        D("1900.00"),
    )
    assert row("51").net == D("5300.00")
    assert (row("AI").net, row("AC").net, row("TA").net) == (
        D("4800.00"),
        D("1900.00"),
        D("5300.00"),
    )
    assert row("111").net == D("10000.00")
    assert row("118").net == D("1500.00")  # 2025: 2000 - 500, pending allocation
    assert row("119").net == D("-700.00")  # 2026: 600 - 1200 - 100
    assert (sheet.year_result, sheet.pending_result) == (D("-700.00"), D("1500.00"))
    assert (row("CP").net, row("FP").net) == (D("10800.00"), D("10800.00"))
    assert (row("44").net, row("PC").net) == (D("900.00"), D("900.00"))
    assert (row("55").net, row("TP").net) == (D("300.00"), D("300.00"))
    assert sheet.total_assets == sheet.total_liabilities == D("12000.00")


def test_balance_sheet_at_the_end_of_the_earlier_year(session, bilan_books):
    sheet = statements.balance_sheet(session, bilan_books.id, on=date(2025, 12, 31))
    assert (sheet.row("119").net, sheet.row("118").net) == (D("1500.00"), D("0.00"))
    assert sheet.total_assets == sheet.total_liabilities == D("12400.00")


def test_balance_sheet_net_result_matches_the_income_statement(session, cpc_books):
    sheet = statements.balance_sheet(session, cpc_books.id, on=date(2026, 12, 31))
    cpc = statements.income_statement(
        session, cpc_books.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert sheet.row("119").net == cpc.net_result == D("10170.00")
    assert sheet.row("118").net == D("600.00")
    assert sheet.total_assets == sheet.total_liabilities


# --- aged balance --------------------------------------------------------------------------


def _partner_line(entry):
    return next(line for line in entry.lines if line.partner)


@pytest.fixture
def customer_documents(ledger, post_lines):
    """invoice(partner, amount, on) and payment(...): post them; each returns its 3421 line."""

    def invoice(partner, amount, on):
        entry = post_lines(
            ledger,
            [
                LineInput("3421", debit=D(amount), partner=partner),
                LineInput("7124", credit=D(amount)),
            ],
            on=on,
            journal="VT",
        )
        return _partner_line(entry)

    def payment(partner, amount, on):
        entry = post_lines(
            ledger,
            [
                LineInput("5141", debit=D(amount)),
                LineInput("3421", credit=D(amount), partner=partner),
            ],
            on=on,
            journal="BQ",
        )
        return _partner_line(entry)

    return invoice, payment


# The aged balance reads the matching (lettrage) since it replaced FIFO: the payments below
# are matched as an accountant would, so the figures are the ones FIFO used to give.
def test_aged_balance_ages_what_is_left_open_of_each_line(
    session, ledger, customer_documents, make_cooperative
):
    invoice, payment = customer_documents
    coop = make_cooperative(name="Coopérative Al Amal")
    a, b, c, d = coop.code, "CLI-B", "CLI-C", "CLI-D"

    on = date(2026, 6, 30)
    oldest = invoice(a, "1000.00", date(2026, 1, 10))  # 171 days
    invoice(a, "500.00", date(2026, 4, 20))  # 71 days
    invoice(a, "300.00", date(2026, 6, 15))  # 15 days
    partial = payment(a, "600.00", date(2026, 6, 20))  # settles part of the oldest
    invoice(a, "999.00", date(2026, 7, 5))  # after the date: not yet
    settled = invoice(b, "800.00", date(2026, 5, 15))
    settling = payment(b, "800.00", date(2026, 6, 1))  # settled: not listed
    invoice(c, "100.00", on - timedelta(days=30))  # last day of 0-30
    invoice(c, "200.00", on - timedelta(days=31))  # first day of 31-60
    overpaid = invoice(d, "100.00", date(2026, 1, 1))
    overpayment = payment(d, "150.00", date(2026, 6, 29))  # the rest: a credit, its bucket
    for pair in ((oldest, partial), (settled, settling), (overpaid, overpayment)):
        matching.match_lines(session, ledger.id, [line.id for line in pair])
    session.commit()

    aged = partners.aged_balance(session, ledger.id, on=on, side="customers")
    rows = {row.partner: (row.buckets, row.total) for row in aged.rows}
    assert rows == {
        a: ([D("300.00"), D("0.00"), D("500.00"), D("400.00")], D("1200.00")),
        c: ([D("100.00"), D("200.00"), D("0.00"), D("0.00")], D("300.00")),
        d: ([D("-50.00"), D("0.00"), D("0.00"), D("0.00")], D("-50.00")),
    }
    assert next(row.name for row in aged.rows if row.partner == a) == "Coopérative Al Amal"
    assert (aged.totals.buckets, aged.totals.total) == (
        [D("350.00"), D("200.00"), D("500.00"), D("400.00")],
        D("1450.00"),
    )


def test_aged_balance_shows_the_open_rest_of_a_partly_paid_invoice_at_its_date(
    session, ledger, customer_documents
):
    invoice, payment = customer_documents
    on = date(2026, 6, 30)
    first = invoice("CLI-A", "1000.00", date(2026, 3, 1))  # over 90 days
    partly_paid = invoice("CLI-A", "800.00", date(2026, 5, 15))  # 31-60 days
    paid = payment("CLI-A", "300.00", date(2026, 6, 20))
    loose = payment("CLI-A", "100.00", date(2026, 6, 25))  # not matched: a credit
    # The payment settles the newest invoice, as the customer's remittance said; FIFO would
    # have taken it off the oldest one.
    matching.match_pair(session, partly_paid.id, paid.id, D("300.00"))
    session.commit()

    (row,) = partners.aged_balance(session, ledger.id, on=on).rows
    assert row.buckets == [D("-100.00"), D("500.00"), D("0.00"), D("1000.00")]
    assert row.total == D("1400.00")
    # Before the payment came, the whole invoice was open at its date.
    (earlier,) = partners.aged_balance(session, ledger.id, on=date(2026, 6, 19)).rows
    assert earlier.buckets == [D("0.00"), D("800.00"), D("0.00"), D("1000.00")]
    assert {first.id, loose.id} <= {
        item.line_id for item in matching.open_items(session, ledger.id, account_prefix="3421")
    }


def test_aged_balance_leaves_out_the_opening_entry_of_a_closed_year(session, two_years, post_lines):
    ledger = two_years
    post_lines(
        ledger,
        [
            LineInput("3421", debit=D("400.00"), partner="CLI-A"),
            LineInput("7124", credit=D("400.00")),
        ],
        on=date(2025, 11, 10),
        journal="VT",
    )
    carried = post_lines(
        ledger,
        [
            LineInput("3421", debit=D("400.00"), partner="CLI-A"),
            LineInput("1191", credit=D("400.00")),
        ],
        on=date(2026, 1, 1),
        journal="AN",
        closing_opening=True,
    )
    year_2025 = session.scalar(
        select(FiscalYear).where(FiscalYear.ledger_id == ledger.id, FiscalYear.name == "2025")
    )
    year_2025.opening_entry_id = carried.id
    session.commit()

    # the invoice alone, 82 days old; its balance carried forward does not count again
    (row,) = partners.aged_balance(session, ledger.id, on=date(2026, 1, 31)).rows
    assert row.buckets == [D("0.00"), D("0.00"), D("400.00"), D("0.00")]


def test_aged_balance_of_suppliers_mirrors_customers(session, ledger, post_lines):
    def bill(amount, on):
        entry = post_lines(
            ledger,
            [
                LineInput("6126", debit=D(amount)),
                LineInput("4411", credit=D(amount), partner="FRS-01"),
            ],
            on=on,
            journal="AC",
        )
        return _partner_line(entry)

    older = bill("700.00", date(2026, 3, 1))
    bill("200.00", date(2026, 6, 10))
    settlement = post_lines(
        ledger,
        [
            LineInput("4411", debit=D("500.00"), partner="FRS-01"),
            LineInput("5141", credit=D("500.00")),
        ],
        on=date(2026, 6, 20),
        journal="BQ",
    )
    matching.match_lines(session, ledger.id, [older.id, _partner_line(settlement).id])
    session.commit()
    aged = partners.aged_balance(session, ledger.id, on=date(2026, 6, 30), side="suppliers")
    assert [(row.partner, row.buckets) for row in aged.rows] == [
        ("FRS-01", [D("200.00"), D("0.00"), D("0.00"), D("200.00")])
    ]
    assert partners.aged_balance(session, ledger.id, on=date(2026, 6, 30)).rows == []


# --- the property: whatever is posted, the books balance -----------------------------------


def chart_codes(session, ledger):
    return sorted(session.scalars(select(Account.code).where(Account.ledger_id == ledger.id)))


@st.composite
def balanced_entries(draw, codes):
    """Entries of 2 to 6 lines, debit total = credit total, amounts in centimes."""
    entries = []
    for _ in range(draw(st.integers(1, 6))):
        debits = draw(st.lists(st.integers(1, 10_000_000), min_size=1, max_size=3))
        total = sum(debits)
        parts = draw(st.integers(1, min(3, total)))
        cuts = (
            sorted(draw(st.sets(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1)))
            if parts > 1
            else []
        )
        credits = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        on = draw(st.dates(date(2026, 1, 1), date(2026, 12, 31)))
        lines = [(draw(st.sampled_from(codes)), cents, 0) for cents in debits]
        lines += [(draw(st.sampled_from(codes)), 0, cents) for cents in credits]
        entries.append((on, lines))
    return entries


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_balanced_postings_keep_the_trial_balance_and_bilan_balanced(
    session, make_ledger, data
):
    ledger = make_ledger()
    entries = data.draw(balanced_entries(chart_codes(session, ledger)))
    posted_cents = 0
    for on, lines in entries:
        entry = services.save_draft(
            session,
            ledger.id,
            journal_code="OD",
            entry_date=on,
            label="Propriété",
            lines=[
                LineInput(code, debit=D(debit) / 100, credit=D(credit) / 100)
                for code, debit, credit in lines
            ],
        )
        services.post_entry(session, entry.id)
        posted_cents += sum(debit for _code, debit, _credit in lines)
    session.commit()
    posted = D(posted_cents) / 100

    balance = statements.trial_balance(
        session, ledger.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert balance.totals.period_debit == balance.totals.period_credit == posted
    assert balance.totals.closing_debit == balance.totals.closing_credit
    lines_total = session.scalar(
        select(func.sum(Line.debit)).where(Line.ledger_id == ledger.id, Line.posted.is_(True))
    )
    assert lines_total == posted

    sheet = statements.balance_sheet(session, ledger.id, on=date(2026, 12, 31))
    assert sheet.total_assets == sheet.total_liabilities
    cpc = statements.income_statement(
        session, ledger.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert cpc.net_result == sheet.year_result
