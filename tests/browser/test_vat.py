"""The accountant opens the GIE's VAT returns, reads a quarter's SIMPL-TVA lines and validates
the oldest return due, in French and Arabic."""

from playwright.sync_api import expect


def test_accountant_reads_and_validates_vat_returns(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    ledger_url = page.locator("table.dense a:text-is('GIE')").get_attribute("href")
    vat_url = ledger_url.replace("/accounting/", "/books/") + "/vat"
    visitor.go(vat_url + "?year=2026")
    expect(page.locator(".subnav a[href$='/vat']")).to_have_count(1)
    expect(page.locator("form.vat-settings select")).to_have_count(2)
    visitor.shot("vat-periods")

    # The last quarter that has ended holds the demo's paid invoices.
    page.click("#vat-periods tr:has(.vat-to_do) a >> nth=-1")
    for number in ("10", "30", "60", "130", "170", "190", "200", "201"):
        expect(page.locator(f"#vat-line-{number}")).to_be_visible()
    expect(page.locator("#vat-form-lines tr.vat-detail")).not_to_have_count(0)
    expect(page.locator("a[href$='return.pdf?lang=ar']")).to_be_visible()
    visitor.shot("vat-return")

    visitor.go(vat_url)  # the year of the oldest return due
    page.click("#vat-periods tr:has(.vat-to_do) a >> nth=0")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form.vat-validate button")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#vat-status .vat-validated")).to_be_visible()
    visitor.shot("vat-validated")
