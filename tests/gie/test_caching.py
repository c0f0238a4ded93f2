"""What a browser or a proxy may keep: nothing a logged-in user saw, no download."""

import pytest

from accounting import services as accounting


@pytest.mark.parametrize("suffix", ["", "?format=csv", "?format=pdf"])
def test_pages_and_downloads_of_the_books_are_never_stored(
    client, session, login_as, make_cooperative, suffix
):
    ledger = accounting.open_ledger(session, make_cooperative().code, first_year=2026)
    session.commit()
    login_as("accountant")
    response = client.get(f"/accounting/ledgers/{ledger.id}/reports/trial-balance{suffix}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_cooperatives_export_is_never_stored(client, login_as):
    login_as("accountant")
    response = client.get("/cooperatives/export.csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"


def test_style_sheets_stay_cacheable_for_a_logged_in_user(client, login_as):
    login_as("accountant")
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"
