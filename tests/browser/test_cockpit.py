"""The accountant's cockpit: from the counts to the work, and posting every draft of a ledger
after a confirmation, in French and Arabic."""

from playwright.sync_api import expect


def _save_a_draft(visitor, label: str):
    page = visitor.page
    visitor.go("/accounting/")
    ledger_path = page.locator("a:text-is('COOP-003')").first.get_attribute("href")
    visitor.go(f"{ledger_path}/entries/new")
    page.select_option("#journal", "OD")
    page.fill("#label", label)
    page.fill("#lines-0-account", "5141")
    page.fill("#lines-0-debit", "250")
    page.fill("#lines-1-account", "7121")
    page.fill("#lines-1-credit", "250")
    page.click("button[name=save]")
    expect(page.locator(".flash-success")).to_be_visible()


def test_accountant_follows_the_cockpit_to_post_all_drafts(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of app.js
    label = f"Brouillon du cockpit {visitor.language}"
    _save_a_draft(visitor, label)

    page.click("nav.mainnav a[href='/accounting/cockpit']")
    row = page.locator("table.cockpit tbody tr", has=page.locator("a:text-is('COOP-003')"))
    expect(row.locator("a[data-drafts]")).to_have_text("1")
    expect(page.locator("table.cockpit tfoot tr.total")).to_be_visible()
    visitor.shot("cockpit")

    row.locator("a[data-drafts]").click()
    expect(page.locator("table.dense tbody")).to_contain_text(label)
    page.go_back()

    row.locator("a[href$='/post-drafts']").click()
    expect(page.locator("table.dense tbody")).to_contain_text(label)
    visitor.shot("cockpit-post-drafts")
    page.click("form[data-confirm] button.primary")
    expect(page.locator("dd[data-posted]")).to_have_text("1")
    expect(page.locator("dd[data-failed]")).to_have_text("0")
    expect(page.locator("ul.posted-numbers")).to_contain_text("OD-")
    visitor.shot("cockpit-post-summary")
