"""Supporting documents on an entry of the demo books, in French and Arabic."""

from playwright.sync_api import expect

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def test_accountant_attaches_a_pdf_to_an_entry_and_downloads_it(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    ledger = page.locator("table.dense a", has_text="COOP-003").first.get_attribute("href")
    visitor.go(f"{ledger}/entries")
    page.click("table.dense tbody a >> nth=0")
    entry_path = page.url.removeprefix(visitor.base)
    name = f"facture-{visitor.language}.pdf"
    content = PDF + name.encode() + b"\n"
    page.set_input_files(
        ".document-upload input[type=file]",
        files=[{"name": name, "mimeType": "application/pdf", "buffer": content}],
    )
    page.click(".document-upload button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    link = page.locator(".document-list a[download]", has_text=name)
    expect(link).to_have_count(1)
    visitor.shot("entry-documents")

    download = page.request.get(visitor.base + link.get_attribute("href"))
    assert download.ok
    assert download.body() == content
    assert download.headers["content-type"] == "application/pdf"

    visitor.go(f"{ledger}/entries")
    expect(page.locator(f"tr:has(a[href='{entry_path}']) .has-document")).to_have_count(1)
    page.select_option("select[name=documents]", "missing")
    page.click(".filters button[type=submit]")
    expect(page.locator("table.dense tbody tr")).not_to_have_count(0)
    expect(page.locator(f"a[href='{entry_path}']")).to_have_count(0)
    visitor.shot("entries-without-documents")

    page.click(".subnav a[href$='/documents/missing']")
    expect(page.locator(f"a[href='{entry_path}']")).to_have_count(0)
    visitor.shot("missing-documents")
