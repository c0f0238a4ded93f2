"""Matching (lettrage) in the GIE's books: an accountant undoes the matching billing made of
a customer's payment, then matches the payment with an invoice again, with the keyboard."""

import re

from playwright.sync_api import expect


def test_accountant_matches_an_invoice_with_a_payment(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    page.on("dialog", lambda dialog: dialog.accept())
    visitor.go("/accounting/")
    books = page.locator("table.dense a:text-is('GIE')").get_attribute("href")
    visitor.go(f"{books}/matching")
    expect(page.locator(".subnav a[href$='/matching']")).to_be_visible()
    # COOP-003 paid more than it owed: the rest of its payment is open
    expect(page.locator("table.dense")).to_contain_text("COOP-003")
    visitor.shot("matching-partners")
    # the select submits itself once the partner's page has loaded its script: wait for it
    with page.expect_navigation():
        page.click("table.dense a:text-is('COOP-003')")
    with page.expect_navigation():
        page.select_option("select[name=show]", "all")
    payment_row = page.locator("tr:has(input[data-side=credit])")
    expect(payment_row.locator(".match-letter")).to_have_text(re.compile(r"^[a-z]+$"))

    payment_row.locator("button[form=unmatch]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".match-letter")).to_have_count(0)

    page.focus("input[data-side=debit] >> nth=0")
    page.keyboard.press("Space")
    page.locator("input[data-side=credit]").focus()
    page.keyboard.press("Space")
    expect(page.locator('[data-selected="debit"]')).not_to_have_text("0.00")
    expect(page.locator('[data-selected="credit"]')).not_to_have_text("0.00")
    visitor.shot("matching-selection")
    page.click("button[accesskey=m]")
    expect(page.locator(".flash-success")).to_contain_text("BQ-")  # the rest left open on it
    invoice_row = page.locator("table.matching tbody tr >> nth=0")
    # the invoice is settled; the payment keeps its rest open: a partial group, lower case
    expect(invoice_row).to_have_class("matched")
    expect(invoice_row.locator(".match-letter")).to_have_text(re.compile(r"^[a-z]+$"))
    visitor.shot("matching-matched")
