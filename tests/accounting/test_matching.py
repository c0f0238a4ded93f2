"""Lettrage: invoices matched with payments, fully or partially, and undone."""

import re
from datetime import date
from decimal import Decimal

import pytest

from accounting import matching, services
from accounting.matching import MatchingRefused
from accounting.models import Entry
from accounting.services import LineInput
from gie.cooperatives.models import Cooperative


@pytest.fixture
def book(session, ledger):
    """Post an entry of partner lines on 3421 against 7124 or 5141; returns its 3421 line."""

    def book(amount, *, side, on, partner="CLIENT-A"):
        amount = Decimal(amount)
        counterpart = "7124" if side == "debit" else "5141"
        partner_line = LineInput("3421", partner=partner, **{side: amount})
        other_side = "credit" if side == "debit" else "debit"
        entry = services.record_entry(
            session,
            ledger.id,
            journal_code="OD",
            entry_date=on,
            label=f"{side} {amount}",
            lines=[partner_line, LineInput(counterpart, **{other_side: amount})],
        )
        session.commit()
        return next(line for line in entry.lines if line.partner == partner)

    return book


def _open(session, ledger, **kwargs):
    return {
        item.line_id: item.open_amount
        for item in matching.open_items(session, ledger.id, account_prefix="3421", **kwargs)
    }


def test_an_invoice_paid_in_two_payments_is_matched_partially_then_fully(session, ledger, book):
    invoice = book("1200.00", side="debit", on=date(2026, 1, 10))
    first = book("500.00", side="credit", on=date(2026, 2, 1))
    second = book("700.00", side="credit", on=date(2026, 3, 1))

    matching.match_lines(session, ledger.id, [invoice.id, first.id])
    assert _open(session, ledger) == {invoice.id: Decimal("700.00"), second.id: Decimal("-700.00")}

    matching.match_lines(session, ledger.id, [invoice.id, second.id])
    assert _open(session, ledger) == {}
    # As of the end of February, only the first payment had come.
    assert _open(session, ledger, as_of=date(2026, 2, 28)) == {invoice.id: Decimal("700.00")}


def test_an_overpayment_leaves_the_rest_of_the_payment_open(session, ledger, book):
    invoice = book("300.00", side="debit", on=date(2026, 1, 10))
    payment = book("500.00", side="credit", on=date(2026, 1, 20))
    matching.match_lines(session, ledger.id, [invoice.id, payment.id])
    assert _open(session, ledger) == {payment.id: Decimal("-200.00")}


def test_unmatching_reopens_both_lines(session, ledger, book):
    invoice = book("300.00", side="debit", on=date(2026, 1, 10))
    payment = book("300.00", side="credit", on=date(2026, 1, 20))
    matching.match_lines(session, ledger.id, [invoice.id, payment.id])
    assert matching.unmatch(session, ledger.id, payment.id) == 1
    assert _open(session, ledger) == {invoice.id: Decimal("300.00"), payment.id: Decimal("-300.00")}


def test_lines_of_two_partners_or_one_side_only_are_refused(session, ledger, book):
    invoice = book("300.00", side="debit", on=date(2026, 1, 10))
    other_invoice = book("100.00", side="debit", on=date(2026, 1, 11))
    foreign_payment = book("300.00", side="credit", on=date(2026, 1, 20), partner="CLIENT-B")
    with pytest.raises(MatchingRefused):
        matching.match_lines(session, ledger.id, [invoice.id, foreign_payment.id])
    with pytest.raises(MatchingRefused):
        matching.match_lines(session, ledger.id, [invoice.id, other_invoice.id])
    with pytest.raises(MatchingRefused):
        matching.match_pair(session, invoice.id, foreign_payment.id, Decimal("10"))
    assert len(_open(session, ledger)) == 3


def test_match_pair_refuses_more_than_what_is_left(session, ledger, book):
    invoice = book("300.00", side="debit", on=date(2026, 1, 10))
    payment = book("300.00", side="credit", on=date(2026, 1, 20))
    matching.match_pair(session, invoice.id, payment.id, Decimal("200.00"))
    with pytest.raises(MatchingRefused):
        matching.match_pair(session, invoice.id, payment.id, Decimal("100.01"))
    matching.match_pair(session, invoice.id, payment.id, Decimal("100.00"))
    assert _open(session, ledger) == {}


# --- the pages ---------------------------------------------------------------------------------


def _lines_url(ledger, **query):
    query = {"account": "3421", "partner": "CLIENT-A", **query}
    text = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/accounting/ledgers/{ledger.id}/matching/lines?{text}"


def test_accountant_matches_an_invoice_with_a_smaller_payment_then_unmatches(
    client, session, login_as, ledger, book
):
    invoice = book("1500.00", side="debit", on=date(2026, 1, 10))
    payment = book("1200.00", side="credit", on=date(2026, 2, 1))
    login_as("accountant")

    listing = client.get(f"/accounting/ledgers/{ledger.id}/matching").text
    assert "CLIENT-A" in listing and "300,00\xa0MAD" in listing  # 1,500.00 − 1,200.00
    page = client.get(_lines_url(ledger)).text
    assert f'name="line" value="{invoice.id}"' in page
    assert f'name="line" value="{payment.id}"' in page

    response = client.post(
        f"/accounting/ledgers/{ledger.id}/matching/lines",
        data={"account": "3421", "partner": "CLIENT-A", "line": [invoice.id, payment.id]},
    )
    page = client.get(response.location).text
    (message,) = re.findall(r'<p class="flash flash-success">(.*?)</p>', page)
    # "Matched 1,200.00; 300.00 left open on" the invoice's entry
    assert "1\u202f200,00\xa0MAD" in message and "300,00\xa0MAD" in message
    assert session.get(Entry, invoice.entry_id).number in message
    # the payment is fully matched: hidden from the open lines, the invoice keeps its rest
    assert f'name="line" value="{payment.id}"' not in page
    assert f'name="line" value="{invoice.id}"' in page
    everything = client.get(_lines_url(ledger, show="all")).text
    assert re.findall(r'class="match-letter"[^>]*>(\w+)<', everything) == ["a", "a"]

    client.post(
        f"/accounting/ledgers/{ledger.id}/matching/unmatch",
        data={"account": "3421", "partner": "CLIENT-A", "line_id": payment.id},
    )
    assert _open(session, ledger) == {
        invoice.id: Decimal("1500.00"),
        payment.id: Decimal("-1200.00"),
    }


def test_a_fully_matched_group_gets_an_upper_case_letter(client, login_as, ledger, book):
    first = book("100.00", side="debit", on=date(2026, 1, 10))
    second = book("200.00", side="debit", on=date(2026, 1, 11))
    payment = book("300.00", side="credit", on=date(2026, 2, 1))
    login_as("accountant")
    client.post(
        f"/accounting/ledgers/{ledger.id}/matching/lines",
        data={"account": "3421", "partner": "CLIENT-A", "line": [first.id, second.id, payment.id]},
    )
    page = client.get(_lines_url(ledger, show="all")).text
    assert re.findall(r'class="match-letter"[^>]*>(\w+)<', page) == ["A", "A", "A"]
    assert 'name="line"' not in client.get(_lines_url(ledger)).text  # nothing left open


def test_matching_one_side_only_is_refused_with_the_reason(client, session, login_as, ledger, book):
    first = book("100.00", side="debit", on=date(2026, 1, 10))
    second = book("200.00", side="debit", on=date(2026, 1, 11))
    login_as("accountant")
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/matching/lines",
        data={"account": "3421", "partner": "CLIENT-A", "line": [first.id, second.id]},
        follow_redirects=True,
    )
    assert '<p class="flash flash-error">' in response.text
    assert len(_open(session, ledger)) == 2


def test_a_president_reads_the_matching_of_their_books_only(
    client, session, login_as, ledger, book, make_ledger
):
    invoice = book("300.00", side="debit", on=date(2026, 1, 10))
    payment = book("300.00", side="credit", on=date(2026, 1, 20))
    other = make_ledger()
    login_as("president", session.get(Cooperative, ledger.cooperative_id))

    page = client.get(_lines_url(ledger)).text
    assert "CLIENT-A" in page and 'name="line"' not in page  # read only
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/matching/lines",
        data={"account": "3421", "partner": "CLIENT-A", "line": [invoice.id, payment.id]},
    )
    assert response.status_code == 403
    assert client.get(f"/accounting/ledgers/{other.id}/matching").status_code == 404
    assert client.get(_lines_url(other)).status_code == 404
    assert len(_open(session, ledger)) == 2


def test_the_partner_list_leaves_out_the_vat_accounts_the_returns_settle(
    client, session, login_as, ledger, book
):
    book("120.00", side="debit", on=date(2026, 1, 10))
    services.record_entry(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 1, 10),
        label="TVA",
        lines=[LineInput("5141", debit=Decimal("20")), LineInput("4455", credit=Decimal("20"))],
    )
    session.commit()
    login_as("accountant")
    listing = client.get(f"/accounting/ledgers/{ledger.id}/matching").text
    assert "CLIENT-A" in listing and "4455" not in listing


def test_lines_without_a_partner_are_listed_and_matched_by_account(
    client, session, login_as, ledger, book
):
    invoice = book("184000.00", side="debit", on=date(2026, 1, 10), partner="")
    payment = book("100000.00", side="credit", on=date(2026, 2, 10), partner="")
    login_as("accountant")

    listing = client.get(f"/accounting/ledgers/{ledger.id}/matching").text
    assert "Plus rien à lettrer." not in listing
    assert "Sans tiers" in listing and "84\u202f000,00\xa0MAD" in listing
    assert f"account=3421&amp;partner={matching.WITHOUT_PARTNER}" in listing
    page = client.get(_lines_url(ledger, partner=matching.WITHOUT_PARTNER)).text
    assert f'name="line" value="{invoice.id}"' in page
    assert f'name="line" value="{payment.id}"' in page

    response = client.post(
        f"/accounting/ledgers/{ledger.id}/matching/lines",
        data={
            "account": "3421",
            "partner": matching.WITHOUT_PARTNER,
            "line": [invoice.id, payment.id],
        },
    )
    assert response.status_code == 302
    assert _open(session, ledger) == {invoice.id: Decimal("84000.00")}
    page = client.get(response.location).text
    assert f'name="line" value="{payment.id}"' not in page
    assert f'name="line" value="{invoice.id}"' in page


def test_the_service_matches_lines_without_a_partner_by_account(session, ledger, book):
    invoice = book("300.00", side="debit", on=date(2026, 1, 10), partner="")
    payment = book("300.00", side="credit", on=date(2026, 1, 20), partner="")
    assert matching.partners(session, invoice.account_id) == [""]
    matching.match_lines(session, ledger.id, [invoice.id, payment.id])
    assert _open(session, ledger) == {}
