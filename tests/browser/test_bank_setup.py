"""The accountant describes a bank's CSV layout once and adds a rule for bank lines, in
French and Arabic."""

from playwright.sync_api import expect


def test_accountant_adds_a_bank_format_and_a_rule(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    bank = f"Banque Populaire {visitor.language.upper()}"

    visitor.go("/accounting/bank/formats")
    page.click("a[href$='/bank/formats/new']")
    page.fill("#name", bank)
    page.fill("#date_column", "Date")
    page.fill("#label_column", "Libellé")
    page.fill("#debit_column", "Débit")
    page.fill("#credit_column", "Crédit")
    page.fill("#balance_column", "Solde")
    visitor.shot("bank-format-form")
    page.click("form.grid-form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    visitor.go("/accounting/bank/formats")
    expect(page.locator("table.dense tbody tr", has_text=bank)).to_contain_text(
        "Date · Libellé · Débit · Crédit · Solde"
    )
    visitor.shot("bank-formats")

    visitor.go("/accounting/")
    page.click("table.dense a:text-is('COOP-001')")
    page.click(".subnav a[href$='/bank']")
    page.click("a[href$='/bank/rules']")
    pattern = f"AGIOS {visitor.language.upper()}"
    page.fill("#pattern", pattern)
    page.fill("#account_code", "6147")
    page.click("form.inline-form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    rule = page.locator(f"tr[data-rule='{pattern}']")
    expect(rule).to_have_count(1)
    expect(rule.locator("input[name=account_code]")).to_have_value("6147")
    visitor.shot("bank-rules")
