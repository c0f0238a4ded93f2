"""Training pages in the browser, in French and Arabic: the coordinator opens the sessions
calendar from the menu, then a session of the demo data with its participants."""

from playwright.sync_api import expect


def test_coordinator_opens_the_calendar_and_a_session(visitor):
    page = visitor.page
    visitor.login("formation@gie-tta.ma")
    visitor.go("/")
    page.click(".mainnav a[href='/training/']")
    expect(page.locator("h1")).to_be_visible()
    visitor.shot("training-calendar")

    # the demo's open session starts in a week: this month or the next
    link = page.locator("a[href^='/training/sessions/']").first
    if link.count() == 0:
        page.click("a[rel=next]")
    title = "مسك محاسبة التعاونية" if visitor.language == "ar" else "Tenue de la comptabilité"
    page.locator("a[href^='/training/sessions/']", has_text=title).first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("main")).to_contain_text("Fatima Zahra El Idrissi")
    expect(page.locator("main")).to_contain_text("Samira Bennani")
    visitor.shot("training-session")
