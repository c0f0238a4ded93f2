"""The year-end closing page of a demo ledger, in French and Arabic."""

from playwright.sync_api import expect


def test_accountant_opens_the_closing_checklist_of_a_ledger(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    page.click("text=COOP-003")
    page.click(".subnav a[href$='/closing']")
    rows = page.locator("table.closing-checklist tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("#checklist-balanced .badge-done")).to_be_visible()
    expect(page.locator("form.closing-form[data-confirm] button[type=submit]")).to_be_visible()
    visitor.shot("closing-checklist")
    page.click(".closing-years a >> nth=0")
    expect(page.locator("#closing-status")).to_be_visible()


def test_president_reads_the_checklist_without_closing(visitor):
    visitor.login("president.jbala@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    page.click(".subnav a[href$='/closing']")
    expect(page.locator("table.closing-checklist tbody tr")).to_have_count(5)
    expect(page.locator("form.closing-form")).to_have_count(0)
    visitor.shot("closing-president")


def test_the_bank_item_names_the_months_no_statement_covers(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    # The demo's CIH Bank statement of COOP-001 covers the last weeks only.
    page.click("text=COOP-001")
    page.click(".subnav a[href$='/closing']")
    expect(page.locator("#bank-uncovered .uncovered-month")).not_to_have_count(0)
    expect(page.locator("#checklist-bank .badge-done")).to_have_count(0)
    expect(page.locator("#checklist-bank .badge-skippable")).to_be_visible()
    visitor.shot("closing-bank-uncovered-months")
