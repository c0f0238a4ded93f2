"""A president logged in on two computers ends both sessions from one of them."""

from playwright.sync_api import expect

from tests.browser.conftest import Visitor


def test_log_out_everywhere_ends_the_other_computers_session(visitor, browser, live_server):
    visitor.login("president.potiers@gie-tta.ma")
    other_computer = browser.new_context(locale=visitor.language)
    try:
        other = Visitor(other_computer.new_page(), live_server, visitor.language)
        other.login("president.potiers@gie-tta.ma")
        other.go("/billing/")
        expect(other.page.locator("#password")).to_have_count(0)  # reading its statement

        page = visitor.page
        visitor.go("/account/password")
        page.click("form[action$='/account/sessions/end'] button[type=submit]")
        expect(page.locator("#password")).to_be_visible()  # back on the login page
        visitor.shot("logged-out-everywhere")

        other.go("/billing/")
        expect(other.page.locator("#password")).to_be_visible()
        expect(other.page.locator("#email")).to_be_visible()
    finally:
        other_computer.close()
