"""The product catalogue, in French and in Arabic, with screenshots: an adviser adds a
product with a photo, then searches the catalogue and opens the product as for a buyer."""

from PIL import Image
from playwright.sync_api import expect


def test_adviser_searches_the_catalogue_and_opens_a_product(visitor, tmp_path):
    visitor.login("commercial@gie-tta.ma")
    page = visitor.page
    name = f"Tajine décoré {visitor.language}"

    visitor.go("/commercial/products/new")
    value = page.locator("#cooperative_id option", has_text="COOP-003").get_attribute("value")
    page.select_option("#cooperative_id", value)
    page.fill("#name", name)
    page.fill("#name_ar", "طاجين مزخرف")
    page.select_option("#unit", "piece")
    page.fill("#price_min", "150")
    page.fill("#price_max", "120")
    page.click(".actions button[type=submit]")
    expect(page.locator("#price_max-error")).to_be_visible()
    visitor.shot("product-price-error")
    page.fill("#price_max", "220")
    page.click(".actions button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()

    photo = tmp_path / "tajine.png"
    Image.new("RGB", (800, 600), (190, 90, 40)).save(photo, "PNG")
    page.set_input_files("#photo", str(photo))
    page.click(".photo-upload button[type=submit]")
    expect(page.locator(".product-photos img")).to_have_count(1)
    visitor.shot("product-with-photo")

    page.click("nav.mainnav a[href$='/commercial/catalogue']")
    page.fill("input[name=q]", name)
    page.select_option("select[name=filiere]", "pottery")
    page.click(".filters button[type=submit]")
    expect(page.locator(".product-card")).to_have_count(1)
    expect(page.locator(".product-card img")).to_be_visible()
    visitor.shot("catalogue-search")

    page.click(".product-card a")
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator(".product-photos img")).to_be_visible()
    visitor.shot("catalogue-product")
