from datetime import date

from sqlalchemy import select

from accounting.models import Account, Entry, Ledger
from tests.snapshot import assert_unchanged, snapshot

SALE_FORM = {
    "journal": "VT",
    "date": "2026-03-02",
    "label": "Facture FA-2026-0001",
    "reference": "FA-2026-0001",
    "lines-0-account": "3421 Clients",
    "lines-0-debit": "1 200,00",
    "lines-1-account": "7124 Ventes de services produits au Maroc",
    "lines-1-credit": "1000",
    "lines-2-account": "4455",
    "lines-2-credit": "200.00",
}


def test_accountant_opens_books_from_the_page(client, session, login_as, make_cooperative):
    login_as("accountant")
    cooperative = make_cooperative()
    response = client.post(
        "/accounting/ledgers", data={"code": cooperative.code, "first_year": "2026"}
    )
    assert response.status_code == 302
    assert (
        session.scalar(select(Ledger.code).where(Ledger.cooperative_id == cooperative.id))
        == cooperative.code
    )


def test_accountant_saves_and_posts_an_entry_typed_in_the_form(client, login_as, ledger):
    login_as("accountant")
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/entries/new", data=dict(SALE_FORM, post="1")
    )
    page = client.get(response.location).text
    assert "VT-2026-00001" in page
    assert "1\u202f200,00\xa0MAD" in page


def test_refused_post_saves_nothing_and_shows_the_form_again(client, session, login_as, ledger):
    login_as("accountant")
    data = dict(SALE_FORM, post="1")
    data["lines-2-credit"] = "150.00"
    before = snapshot(session)
    response = client.post(f"/accounting/ledgers/{ledger.id}/entries/new", data=data)
    assert response.status_code == 422
    assert "1200.00" in response.text and "1150.00" in response.text  # the reason's two totals
    assert 'value="1200.00"' in response.text and 'value="150.00"' in response.text
    assert_unchanged(session, before)

    del data["post"]
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/entries/new", data=dict(data, save="1")
    )
    assert response.status_code == 302
    entry = session.scalar(select(Entry).where(Entry.ledger_id == ledger.id))
    assert entry.state == "draft" and entry.number is None


def test_unknown_account_is_a_form_error_and_saves_nothing(client, session, login_as, ledger):
    login_as("accountant")
    data = dict(SALE_FORM, save="1")
    data["lines-1-account"] = "7999"
    response = client.post(f"/accounting/ledgers/{ledger.id}/entries/new", data=data)
    assert response.status_code == 422
    assert "7999" in response.text
    assert session.scalar(select(Entry.id).where(Entry.ledger_id == ledger.id)) is None


def test_add_line_without_javascript_keeps_what_was_typed(client, login_as, ledger):
    login_as("accountant")
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/entries/new", data=dict(SALE_FORM, add_line="1")
    )
    assert response.status_code == 200
    assert 'name="lines-4-account"' in response.text
    assert 'value="1 200,00"' in response.text or 'value="1200.00"' in response.text


def test_draft_is_edited_then_deleted(client, session, login_as, ledger):
    login_as("accountant")
    created = client.post(
        f"/accounting/ledgers/{ledger.id}/entries/new", data=dict(SALE_FORM, save="1")
    )
    entry_id = int(created.location.rsplit("/", 1)[1])
    edit_page = client.get(f"/accounting/entries/{entry_id}/edit").text
    assert "3421 Clients" in edit_page
    client.post(
        f"/accounting/entries/{entry_id}/edit",
        data=dict(SALE_FORM, label="Facture corrigée", save="1"),
    )
    session.expire_all()
    assert session.get(Entry, entry_id).label == "Facture corrigée"
    client.post(f"/accounting/entries/{entry_id}/delete")
    session.expire_all()
    assert session.get(Entry, entry_id) is None


def test_posted_entry_is_reversed_from_its_page(client, session, login_as, ledger):
    login_as("accountant")
    created = client.post(
        f"/accounting/ledgers/{ledger.id}/entries/new", data=dict(SALE_FORM, post="1")
    )
    entry_id = int(created.location.rsplit("/", 1)[1])
    assert client.get(f"/accounting/entries/{entry_id}/edit").status_code == 302
    reversed_ = client.post(f"/accounting/entries/{entry_id}/reverse", data={"date": "2026-03-10"})
    assert "VT-2026-00002" in client.get(reversed_.location).text
    assert client.post(f"/accounting/entries/{entry_id}/delete").status_code == 302
    session.expire_all()
    assert session.get(Entry, entry_id).state == "posted"


def test_entries_are_searched_by_account_amount_and_state(client, login_as, ledger):
    login_as("accountant")
    client.post(f"/accounting/ledgers/{ledger.id}/entries/new", data=dict(SALE_FORM, post="1"))
    draft = dict(SALE_FORM, label="Brouillon fournisseur", save="1")
    draft.update(
        {
            "journal": "AC",
            "lines-0-account": "6126",
            "lines-1-account": "4411",
            "lines-2-account": "",
            "lines-1-credit": "1200",
            "lines-2-credit": "",
            "lines-2-debit": "",
            "lines-0-debit": "1200",
        }
    )
    client.post(f"/accounting/ledgers/{ledger.id}/entries/new", data=draft)
    base = f"/accounting/ledgers/{ledger.id}/entries"
    by_account = client.get(f"{base}?account=342").text
    assert "VT-2026-00001" in by_account and "Brouillon fournisseur" not in by_account
    by_state = client.get(f"{base}?state=draft").text
    assert "Brouillon fournisseur" in by_state and "VT-2026-00001" not in by_state
    assert "VT-2026-00001" in client.get(f"{base}?amount=200,00").text
    assert "VT-2026-00001" not in client.get(f"{base}?amount=201").text


def test_chart_gets_a_sub_account_and_keeps_used_ones(client, session, login_as, ledger):
    login_as("accountant")
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/accounts",
        data={"code": "71241", "label": "Tenue de comptabilité"},
    )
    assert response.status_code == 302
    account = session.scalar(
        select(Account).where(Account.ledger_id == ledger.id, Account.code == "71241")
    )
    assert (account.class_number, account.kind) == (7, "income")
    account_id = account.id
    duplicate = client.post(
        f"/accounting/ledgers/{ledger.id}/accounts", data={"code": "71241", "label": "x"}
    )
    assert duplicate.status_code == 422
    client.post(f"/accounting/accounts/{account_id}/edit", data={"label": "Comptabilité"})
    session.expire_all()
    assert session.get(Account, account_id).active is False  # unchecked box deactivates
    client.post(f"/accounting/accounts/{account_id}/delete")
    session.expire_all()
    assert session.get(Account, account_id) is None


def test_lock_date_set_from_the_ledger_page_refuses_earlier_postings(
    client, session, login_as, ledger
):
    login_as("accountant")
    client.post(f"/accounting/ledgers/{ledger.id}/lock-date", data={"lock_date": "2026-03-31"})
    session.expire_all()
    assert session.get(Ledger, ledger.id).lock_date == date(2026, 3, 31)
    response = client.post(
        f"/accounting/ledgers/{ledger.id}/entries/new", data=dict(SALE_FORM, post="1")
    )
    assert response.status_code == 422 and "2026-03-31" in response.text
    assert session.scalar(select(Entry.state).where(Entry.ledger_id == ledger.id)) is None


def test_president_reads_own_books_but_cannot_write(
    client, session, login_as, make_cooperative, make_ledger
):
    cooperative = make_cooperative()
    ledger = make_ledger(cooperative=cooperative)
    login_as("president", cooperative)
    assert client.get("/accounting/").location == f"/accounting/ledgers/{ledger.id}"
    assert client.get(f"/accounting/ledgers/{ledger.id}/entries").status_code == 200
    assert client.get(f"/accounting/ledgers/{ledger.id}/entries/new").status_code == 403
    assert (
        client.post(f"/accounting/ledgers/{ledger.id}/entries/new", data=SALE_FORM).status_code
        == 403
    )
    assert session.scalar(select(Entry.id).where(Entry.ledger_id == ledger.id)) is None


def test_entry_list_paginates(client, login_as, ledger, post):
    login_as("accountant")
    for day in range(1, 56):
        post(
            ledger,
            (("5141", "10", ""), ("7124", "", "10")),
            on=date(2026, 1 + day // 28, 1 + day % 28),
        )
    first = client.get(f"/accounting/ledgers/{ledger.id}/entries").text
    assert 'rel="next"' in first
    second = client.get(f"/accounting/ledgers/{ledger.id}/entries?page=2").text
    assert second.count("OD-2026-") == 5
