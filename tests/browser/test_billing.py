"""Billing in the browser, in French and Arabic: the accountant previews and runs a billing
month, issues an invoice and records a payment; a president reads an invoice and the
statement of account."""

import re
from datetime import date

from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect


def _number(page, selector: str) -> int:
    return int(page.locator(selector).inner_text().strip())


def test_accountant_runs_a_month_issues_an_invoice_and_records_a_payment(visitor):
    page = visitor.page
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of app.js
    visitor.login("comptable@gie-tta.ma")
    # the demo billed the months before this one; each language runs a month of its own
    month = date.today().replace(day=1) + relativedelta(months=0 if visitor.language == "fr" else 1)
    visitor.go("/")
    page.click(".mainnav a[href='/billing/']")
    expect(page.locator("table.invoices")).to_contain_text("FA-")
    visitor.shot("billing-invoices")

    visitor.go(f"/billing/run?month={month:%Y-%m}")
    assert _number(page, "[data-lines]") > 0
    assert _number(page, "[data-already-billed]") == 0
    visitor.shot("billing-run-preview")
    page.click("button[accesskey=r]")
    created = _number(page, "[data-created]")
    assert created > 0 and _number(page, "[data-skipped]") == 0
    visitor.shot("billing-run-done")

    page.click(".actions a.primary")  # the drafts of the month
    expect(page.locator("[data-state=draft]")).to_have_count(created)
    page.locator("table.invoices tbody tr", has_text="COOP-001").locator("td a").first.click()
    visitor.shot("billing-invoice-draft")
    page.click("button[accesskey=i]")
    expect(page.locator(".flash-success")).to_be_visible()
    number = page.locator("[data-number]").inner_text()
    assert re.fullmatch(r"FA-\d{4}-\d{5}", number)
    visitor.shot("billing-invoice-issued")

    page.click(".toolbar a.primary")  # record a payment
    expect(page.locator("table.allocations")).to_contain_text(number)
    amount = "1 000,00" if visitor.language == "fr" else "1000"
    page.fill("#amount", amount)
    page.fill("#reference", f"VIR-{visitor.language}-{number}")
    # the payment settles the invoice just issued (left blank: the oldest open ones)
    page.locator("table.allocations tr", has_text=number).locator("input.amount").fill(amount)
    visitor.shot("billing-payment-form")
    page.click("form.grid-form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("table.allocations")).to_contain_text(number)
    visitor.shot("billing-payment")

    visitor.go("/billing/run?month=" + f"{month:%Y-%m}")
    assert _number(page, "[data-lines]") == 0  # running the month again bills nothing
    assert _number(page, "[data-already-billed]") > 0


def test_accountant_browses_customers_subscriptions_overdue_and_catalogue(visitor):
    page = visitor.page
    visitor.login("comptable@gie-tta.ma")
    visitor.go("/billing/customers/")
    expect(page.locator("table.dense").first).to_contain_text("NORESS")
    visitor.shot("billing-customers")
    page.click("text=COOP-003")
    expect(page.locator("[data-balance]")).to_be_visible()
    visitor.shot("billing-customer")
    visitor.go("/billing/subscriptions/")
    expect(page.locator("table.subscriptions")).to_contain_text("APPUI")
    visitor.shot("billing-subscriptions")
    visitor.go("/billing/subscriptions/new")
    visitor.shot("billing-subscription-form")
    visitor.go("/billing/overdue/")
    expect(page.locator("[data-customer=COOP-005]")).to_be_visible()
    visitor.shot("billing-overdue")
    visitor.go("/billing/services/")
    expect(page.locator("table.dense")).to_contain_text("COMPTA")
    visitor.shot("billing-catalogue")


def test_president_reads_an_invoice_and_the_statement(visitor):
    page = visitor.page
    visitor.login("president.jbala@gie-tta.ma")
    visitor.go("/billing/")
    expect(page.locator("h1")).to_contain_text("COOP-001")
    expect(page.locator("a[href*='/billing/payments/new']")).to_have_count(0)
    visitor.shot("president-billing")
    page.locator("table.invoices tbody td a").first.click()
    expect(page.locator("[data-number]")).to_contain_text("FA-")
    expect(page.locator("button[accesskey=i]")).to_have_count(0)
    expect(page.locator(".toolbar")).to_have_count(0)
    visitor.shot("president-invoice")
    pdf = page.request.get(page.url + ".pdf?lang=" + visitor.language)
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    visitor.go("/billing/")
    page.click("a[accesskey=s]")
    expect(page.locator("[data-closing]")).to_be_visible()
    visitor.shot("president-statement")
    other = page.request.get(visitor.base + "/billing/customers/9999")
    assert other.status == 404
