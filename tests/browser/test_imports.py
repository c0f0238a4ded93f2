"""The accountant imports an entries file, sees the same file refused, forces it with the
box ticked; the sales adviser does the same with leads. In French and Arabic."""

from datetime import date

from playwright.sync_api import expect

# What the refusal says, in each language, before the date and the name
ALREADY_IMPORTED = {"fr": "a déjà été importé le", "ar": "سبق استيراد هذا الملف"}


def _excel_file(tmp_path, name: str, lines: list[str]):
    """A French Excel's CSV: Windows-1252, `;`, decimal commas, day-first dates, CRLF."""
    path = tmp_path / name
    path.write_bytes("\r\n".join([*lines, ""]).encode("cp1252"))
    return path


def _submit(page, path, *, force: bool = False):
    page.set_input_files("#file", str(path))
    if force:
        page.check("#allow_duplicate")
    page.click("form[enctype] button.primary")
    page.wait_for_load_state()


def test_accountant_imports_entries_once_then_forces_the_same_file(visitor, tmp_path):
    today = date.today().strftime("%d/%m/%Y")
    reference = f"SALON-{visitor.language}-1"
    label = f"Dépôt façonnage à Tétouan ({visitor.language})"
    path = _excel_file(
        tmp_path,
        "ventes.csv",
        [
            "entry;date;journal;account;label;debit;credit",
            f"{reference};{today};VT;3421;{label};1 250,50;",
            f"{reference};{today};VT;7124;{label};;1 250,50",
        ],
    )
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    page.click("table.dense a:text-is('COOP-003')")
    page.click("a[href$='/import']")
    import_url = page.url
    expect(page.locator("#encoding option[value=cp1252]")).to_have_text("Windows-1252")
    expect(page.locator("#allow_duplicate")).to_have_count(0)
    visitor.shot("import-entries")

    _submit(page, path)
    expect(page.locator(".flash-success")).to_be_visible()

    page.goto(import_url)
    _submit(page, path)
    expect(page.locator(".flash-error")).to_contain_text(ALREADY_IMPORTED[visitor.language])
    expect(page.locator(".flash-error")).to_contain_text("ventes.csv")
    expect(page.locator("#allow_duplicate")).to_be_visible()
    visitor.shot("import-entries-refused")

    _submit(page, path, force=True)
    expect(page.locator(".flash-success")).to_be_visible()

    page.goto(import_url.replace("/import", f"/entries?q={reference}"))
    rows = page.locator("table.dense tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(label)
    expect(rows.first.locator(".source-ref")).to_have_text(reference)
    visitor.shot("imported-entries")


def test_adviser_imports_leads_once_then_forces_the_same_file(visitor, tmp_path):
    title = f"Miel à la cire, crème ({visitor.language})"
    path = _excel_file(
        tmp_path,
        "salon.csv",
        [
            "buyer;kind;city;title;amount;expected_close",
            f"Hôtel Façade {visitor.language};hotel;Tétouan;{title};2 500,50;30/06/2031",
        ],
    )
    visitor.login("commercial@gie-tta.ma")
    page = visitor.page
    visitor.go("/commercial/leads/import")
    expect(page.locator("#encoding")).to_be_visible()

    _submit(page, path)
    expect(page.locator(".flash-success")).to_be_visible()

    _submit(page, path)
    expect(page.locator(".flash-error")).to_contain_text(ALREADY_IMPORTED[visitor.language])
    expect(page.locator("#allow_duplicate")).to_be_visible()
    visitor.shot("import-leads-refused")

    _submit(page, path, force=True)
    expect(page.locator(".flash-success")).to_be_visible()
