"""The observatory feed in the browser, in French and Arabic: the accountant opens it from
the programme pages, changes the year and the grouping, sees the suppressed cells marked,
and downloads the feed as CSV and JSON."""

import json
from datetime import date

from playwright.sync_api import expect

TEXTS = {
    "fr": {
        "title": "Données pour l’observatoire",
        "suppressed": "Masqué : moins de 3 coopératives",
    },
    "ar": {
        "title": "معطيات المرصد",
        "suppressed": "محجوب: أقل من 3 تعاونيات",
    },
}


def test_accountant_changes_the_observatory_feed_and_downloads_it(visitor):
    page = visitor.page
    texts = TEXTS[visitor.language]
    year = date.today().year
    visitor.login("comptable@gie-tta.ma")
    visitor.go("/")
    page.click(".mainnav a[href='/programme/']")
    page.wait_for_load_state()
    page.click(".subnav a[href='/programme/observatory']")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(f"{texts['title']} {year}")
    table = page.locator("table[data-observatory]")
    expect(table).to_have_attribute("data-grouping", "filiere_province")
    # the demo's cooperatives are spread thin: some filière and province cells are hidden
    suppressed = table.locator("tbody tr[data-suppressed]")
    expect(suppressed.first).to_contain_text(texts["suppressed"])
    expect(suppressed.first).to_have_class("muted")
    expect(table.locator("tfoot tr[data-total]")).to_be_visible()
    visitor.shot("observatory")

    # the selects submit themselves (no button needed with scripts on)
    with page.expect_navigation():
        page.select_option("#year", str(year - 1))
    expect(page.locator("h1")).to_contain_text(str(year - 1))
    expect(page.locator("#year")).to_have_value(str(year - 1))
    with page.expect_navigation():
        page.select_option("#by", "province")
    assert f"year={year - 1}" in page.url and "by=province" in page.url
    expect(table).to_have_attribute("data-grouping", "province")
    expect(page.locator("#year")).to_have_value(str(year - 1))
    expect(table.locator("thead th:not(.num)")).to_have_count(1)
    visitor.shot("observatory-by-province")

    expect(page.locator("a[href*='/programme/observatory.csv']")).to_have_count(2)
    for dialect, separator in (("fr", ";"), ("intl", ",")):
        csv_link = page.locator(f"a[href*='/programme/observatory.csv'][href*='dialect={dialect}']")
        csv = page.request.get(visitor.base + csv_link.get_attribute("href"))
        assert csv.status == 200
        assert csv.headers["content-type"].startswith("text/csv")
        assert f"observatory-{year - 1}-province.csv" in csv.headers["content-disposition"]
        assert separator in csv.text().splitlines()[0]
    json_link = page.locator("a[href*='/programme/observatory.json']")
    feed = page.request.get(visitor.base + json_link.get_attribute("href"))
    assert feed.status == 200
    assert feed.headers["content-type"] == "application/json"
    assert json.loads(feed.text())["year"] == year - 1
