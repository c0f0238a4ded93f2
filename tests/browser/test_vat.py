"""The accountant opens the GIE's VAT returns, reads a quarter's SIMPL-TVA lines and validates
the oldest return due, in French and Arabic. Both runs share the demo database: the French
one validates the GIE's oldest return, the Arabic one a cooperative's."""

from playwright.sync_api import expect


def _vat_url(page, code: str) -> str:
    ledger_url = page.locator(f"table.dense a:text-is('{code}')").get_attribute("href")
    return ledger_url + "/vat"


def test_accountant_reads_and_validates_vat_returns(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    gie_url = _vat_url(page, "GIE")
    cooperative_url = _vat_url(page, "COOP-001")
    visitor.go(gie_url + "?year=2026")
    expect(page.locator(".subnav a[href$='/vat']")).to_have_count(1)
    expect(page.locator("form.vat-settings select")).to_have_count(2)
    expect(page.locator("#vat-collected-account-setting")).to_have_text("4455")
    visitor.shot("vat-periods")

    # The last quarter that has ended holds the demo's paid invoices.
    page.locator("#vat-periods tr:has(.vat-to_do, .vat-validated)").last.locator("a").first.click()
    for number in ("10", "30", "60", "130", "170", "190", "200", "201"):
        expect(page.locator(f"#vat-line-{number}")).to_be_visible()
    expect(page.locator("#vat-form-lines tr.vat-detail")).not_to_have_count(0)
    expect(page.locator("a[href$='return.pdf?lang=ar']")).to_be_visible()
    visitor.shot("vat-return")

    visitor.go(gie_url if visitor.language == "fr" else cooperative_url)  # oldest return due
    page.click("#vat-periods tr:has(.vat-to_do) a >> nth=0")
    # The demo's invoices of the quarter are not all paid: the return lists them, and
    # validating needs the box ticked.
    expect(page.locator("#vat-unpaid tbody tr")).not_to_have_count(0)
    expect(page.locator("#vat-unpaid a[href*='/matching/lines?account=']").first).to_be_visible()
    visitor.shot("vat-left-out")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form.vat-validate button")
    expect(page.locator("#vat-refusal")).to_be_visible()
    expect(page.locator("#vat-status .vat-to_do")).to_be_visible()
    visitor.shot("vat-refused-without-confirmation")
    page.check("#vat-confirm-left-out input[type=checkbox]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form.vat-validate button")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#vat-status .vat-validated")).to_be_visible()
    visitor.shot("vat-validated")
