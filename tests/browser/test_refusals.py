"""A refused post and a refused reversal, as the accountant meets them: the reason on the
page, the form still there, and nothing left behind in the books."""

from playwright.sync_api import expect

#: one ledger per language, so that each run reverses an entry of its own
LEDGERS = {"fr": "COOP-005", "ar": "COOP-002"}


def _open_ledger(visitor, code: str):
    visitor.go("/accounting/")
    visitor.page.click(f"table.dense a:text-is('{code}')")


def test_a_refused_post_keeps_the_form_and_saves_no_draft(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    _open_ledger(visitor, "COOP-003")
    ledger_url = page.url
    page.click("a[accesskey=n]")
    label = f"Achat déséquilibré {visitor.language}"
    page.select_option("#journal", "AC")
    page.fill("#label", label)
    page.fill("#lines-0-account", "6126")
    page.fill("#lines-0-debit", "1 000,00")
    page.fill("#lines-1-account", "4411")
    page.fill("#lines-1-credit", "900")
    page.click("button[name=post]")
    expect(page.locator(".flash-error")).to_contain_text("1000.00")
    expect(page.locator(".flash-error")).to_contain_text("900.00")
    expect(page.locator("#label")).to_have_value(label)  # what was typed is still there
    expect(page.locator("#lines-1-credit")).to_have_value("900.00")
    visitor.shot("refused-post")

    page.goto(ledger_url.rstrip("/") + f"/entries?q={label}")
    expect(page.locator("table.dense tbody td.empty")).to_have_count(1)


def test_a_refused_reversal_leaves_the_entry_reversible_then_reverses_it_once(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    page.on("dialog", lambda dialog: dialog.accept())
    _open_ledger(visitor, LEDGERS[visitor.language])
    page.goto(page.url.rstrip("/") + "/entries?journal=VT&state=posted")
    page.click("table.dense tbody tr:first-child td.mono a")
    number = page.locator("h1").inner_text().split()[-1]
    proposed = page.locator("input[name=date]").input_value()

    page.fill("input[name=date]", "2031-01-05")
    page.click("form.inline-form button[type=submit]")
    expect(page.locator(".flash-error")).to_contain_text("2031-01-05")
    expect(page.locator("input[name=date]")).to_have_value(proposed)
    expect(page.locator("dl.facts")).not_to_contain_text("VT-20", use_inner_text=True)
    visitor.shot("refused-reversal")

    page.click("form.inline-form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(number)  # "Reverses VT-..."
    page.click(f"dl.facts a:text-is('{number}')")
    expect(page.locator("input[name=date]")).to_have_count(0)
    expect(page.locator("dl.facts a")).to_have_count(1)  # reversed by exactly one entry
    visitor.shot("reversed-once")
