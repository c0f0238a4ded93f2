"""Main flows of the platform pages, in French and in Arabic, with screenshots."""

from playwright.sync_api import expect

from tests.browser.conftest import Visitor

NAV = {
    "fr": {"cooperatives": "Coopératives", "users": "Utilisateurs", "audit": "Journal d’audit"},
    "ar": {"cooperatives": "التعاونيات", "users": "المستخدمون", "audit": "سجل التدقيق"},
}


def test_accountant_searches_and_edits_a_cooperative(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    expect(page.locator("html")).to_have_attribute(
        "dir", "rtl" if visitor.language == "ar" else "ltr"
    )
    visitor.shot("accountant-home")

    page.click(f"nav >> text={NAV[visitor.language]['cooperatives']}")
    page.select_option("select[name=filiere]", "pottery")
    page.click(".filters button[type=submit]")
    expect(page.locator("table.dense tbody tr")).to_have_count(1)
    visitor.shot("cooperatives-filtered")

    page.click("text=COOP-003")
    page.click("a[accesskey=e]")
    page.fill("#commune", f"Martil {visitor.language}")
    page.fill("#ice", "001561191000065")
    page.click(".actions button[type=submit]")
    expect(page.locator("#ice-error")).to_be_visible()
    visitor.shot("cooperative-ice-error")

    page.fill("#ice", "001561191000066")
    page.click(".actions button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text(f"Martil {visitor.language}")
    visitor.shot("cooperative-detail")


def test_accountant_sees_a_refused_import_named_by_line(visitor, tmp_path):
    visitor.login("comptable@gie-tta.ma")
    bad = tmp_path / "cooperatives.csv"
    bad.write_text(
        "code,name,filiere,province\nCOOP-090,Coopérative A,honey,MA-HOC\nCOOP-091,B,honey,Casablanca\n"
    )
    visitor.go("/cooperatives/import")
    visitor.page.set_input_files("#file", str(bad))
    visitor.page.click("form[enctype] button[type=submit]")
    expect(visitor.page.locator(".errors-table")).to_contain_text("3")
    visitor.shot("cooperatives-import-refused")
    visitor.go("/cooperatives/?q=COOP-090")
    expect(visitor.page.locator("table.dense tbody")).not_to_contain_text("COOP-090")


def test_admin_manages_users_and_reads_the_audit_log(visitor):
    visitor.login("admin@gie-tta.ma")
    page = visitor.page
    page.click(f"nav >> text={NAV[visitor.language]['users']}")
    expect(page.locator("table.dense")).to_contain_text("president.jbala@gie-tta.ma")
    visitor.shot("users")
    page.click(f"nav >> text={NAV[visitor.language]['audit']}")
    expect(page.locator("table.audit")).to_contain_text("Cooperative")
    visitor.shot("audit-log")


def test_president_sees_only_their_cooperative(visitor):
    visitor.login("president.jbala@gie-tta.ma")
    page = visitor.page
    visitor.shot("president-home")
    visitor.go("/cooperatives/")
    expect(page.locator("h1")).to_contain_text("COOP-001")
    visitor.shot("president-cooperative")
    response = visitor.go("/cooperatives/3")
    assert response.status == 404
    visitor.shot("president-other-cooperative-404")


def test_language_switch_mirrors_the_layout(visitor):
    visitor.login("commercial@gie-tta.ma")
    page = visitor.page
    other = "fr" if visitor.language == "ar" else "ar"
    page.select_option("#locale", other)
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if other == "ar" else "ltr")
    expect(page.locator("nav.mainnav")).to_contain_text(NAV[other]["cooperatives"])


def test_cooperative_list_works_on_a_phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="ar"
    )
    page = context.new_page()
    phone = Visitor(page, live_server, "ar")
    phone.login("comptable@gie-tta.ma")
    phone.go("/cooperatives/")
    expect(page.locator("table.dense")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.shot("phone-cooperatives")
    context.close()
