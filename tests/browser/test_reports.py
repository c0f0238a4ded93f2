"""The books' reports on screen, in French and Arabic, and their downloads."""

from playwright.sync_api import expect


def _open_reports(visitor, ledger_link: str):
    visitor.go("/accounting/")
    visitor.page.click(f"table.dense a:text-is('{ledger_link}')")
    visitor.page.click("ul.links a >> nth=0")  # trial balance


def test_accountant_reads_the_gie_reports(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    _open_reports(visitor, "GIE")
    expect(page.locator("table").first).to_contain_text("5141")
    visitor.shot("trial-balance")
    page.goto(page.url.split("?")[0].replace("trial-balance", "balance-sheet"))
    expect(page.locator("table").first).to_be_visible()
    visitor.shot("balance-sheet")
    page.goto(page.url.split("?")[0].replace("balance-sheet", "income-statement"))
    expect(page.locator("table").first).to_contain_text("XIII")
    visitor.shot("income-statement")
    page.goto(page.url.split("?")[0].replace("income-statement", "aged-balance"))
    visitor.shot("aged-balance")
    with page.expect_download() as download:
        page.click("a[href*='format=xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_president_reads_own_general_ledger(visitor):
    visitor.login("president.jbala@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    page.click("ul.links a >> nth=1")  # general ledger
    visitor.shot("president-general-ledger")
    expect(page.locator("h1")).to_be_visible()
