"""The close's pages were under /books/ before sharing accounting's /accounting/ prefix: a
bookmark of a former address moves permanently to the same page, with its query string."""


def test_former_books_addresses_move_permanently_under_accounting(client, login_as):
    login_as("accountant")
    vat = client.get("/books/ledgers/7/vat?year=2026")
    assert vat.status_code == 301
    assert vat.location == "/accounting/ledgers/7/vat?year=2026"
    cockpit = client.get("/books/cockpit")
    assert cockpit.status_code == 301
    assert cockpit.location == "/accounting/cockpit"
    assert client.get("/books/cockpit", follow_redirects=True).status_code == 200


def test_former_books_addresses_send_anonymous_visitors_to_login(client):
    page = client.get("/books/cockpit")
    assert page.status_code == 302
    assert page.location.startswith("/login")
