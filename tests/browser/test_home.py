"""Each role's home page on the demo, in French and Arabic: its sections, its charts."""

import pytest
from playwright.sync_api import expect

HOMES = [
    ("comptable@gie-tta.ma", "accountant", "#ledgers-to-do"),
    ("admin@gie-tta.ma", "admin", "table.revenue-by-service"),
    ("commercial@gie-tta.ma", "sales_adviser", "#activities-due"),
    ("formation@gie-tta.ma", "training_coordinator", "#upcoming-sessions"),
    ("president.jbala@gie-tta.ma", "president", ".home-president .cards"),
]
CHARTS = {"admin": 2, "sales_adviser": 1, "training_coordinator": 1}


@pytest.mark.parametrize(("email", "role", "section"), HOMES)
def test_each_role_lands_on_its_own_home(visitor, email, role, section):
    visitor.login(email)
    page = visitor.page
    visitor.go("/")
    expect(page.locator(f".home-{role}")).to_be_visible()
    expect(page.locator(section)).to_be_visible()
    expect(page.locator("svg.chart-svg")).to_have_count(CHARTS.get(role, 0))
    for chart in page.locator("svg.chart-svg").all():
        expect(chart).to_have_attribute("direction", "rtl" if visitor.language == "ar" else "ltr")
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40
    visitor.shot(f"home-{role}")


def test_president_home_shows_only_their_cooperative(visitor):
    visitor.login("president.jbala@gie-tta.ma")
    page = visitor.page
    visitor.go("/")
    expect(page.locator("main")).to_contain_text("Jbala")
    expect(page.locator("main")).not_to_contain_text("COOP-003")
    expect(page.locator("main")).not_to_contain_text("Potiers")


def test_adviser_marks_an_overdue_activity_done_from_home(visitor):
    visitor.login("commercial@gie-tta.ma")
    page = visitor.page
    visitor.go("/")
    rows = page.locator("#activities-due tbody tr.overdue")
    before = rows.count()
    assert before > 0
    rows.first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#activities-due tbody tr.overdue")).to_have_count(before - 1)
