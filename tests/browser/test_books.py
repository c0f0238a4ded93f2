"""The accountant's entry form and the president's read-only books, in French and Arabic."""

from playwright.sync_api import expect


def test_accountant_types_and_posts_an_entry_with_the_keyboard(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    page.click("text=COOP-003")
    page.click("a[accesskey=n]")
    page.select_option("#journal", "VT")
    page.fill("#label", f"Facture atelier {visitor.language}")
    page.fill("#reference", "FA-TEST")
    page.fill("#lines-0-account", "3421 Clients")
    page.fill("#lines-0-debit", "1 200,00")
    page.fill("#lines-1-account", "7124")
    page.fill("#lines-1-credit", "1000")
    expect(page.locator("[data-difference]")).to_have_class("num unbalanced")
    page.focus("#lines-3-credit")
    page.keyboard.press("Enter")  # Enter in the last line adds a line pre-filled with the gap
    expect(page.locator("tr[data-line]")).to_have_count(5)
    expect(page.locator("#lines-4-credit")).to_have_value("200.00")
    page.fill("#lines-4-account", "4455 État - TVA facturée")
    expect(page.locator("[data-difference]")).not_to_have_class("num unbalanced")
    visitor.shot("entry-form")
    page.click("button[name=post]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("VT-")
    visitor.shot("entry-posted")


def test_accountant_browses_the_chart_and_entries(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    visitor.shot("books")
    page.click("table.dense a:text-is('GIE')")
    visitor.shot("ledger")
    page.click(".subnav a >> nth=2")
    expect(page.locator("table.dense")).to_contain_text("7124")
    visitor.shot("chart")
    page.click(".subnav a >> nth=1")
    page.fill("input[name=account]", "3421")
    page.click(".filters button[type=submit]")
    expect(page.locator("table.dense tbody")).to_contain_text("VT-")  # the invoices billed
    visitor.shot("entries")


def test_president_reads_own_books_only(visitor):
    visitor.login("president.jbala@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    expect(page.locator("h1")).to_contain_text("Jbala")
    expect(page.locator("a[accesskey=n]")).to_have_count(0)
    visitor.shot("president-books")
