"""A live server on a committed demo database, and Debian's Chromium driven by Playwright:
one of each for the whole run. The tests share the demo, so a test that changes data works on
records of its own (named by its language) or asserts what holds whatever ran before it."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from gie import create_app, db
from gie.demo import PASSWORD
from tests.conftest import migrate

CHROMIUM = os.environ.get("GIE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(databases):
    url = databases.new()
    migrate(url)
    app = create_app({"SQLALCHEMY_DATABASE_URL": url, "TESTING": False})
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    # The next module's app binds the session to its own engine: close this one's pooled
    # connections now, rather than leaving them to the garbage collector (ResourceWarning).
    db.session.remove()
    db.session.session_factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        message = f"Chromium is missing at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("GIE_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Visitor:
    """One person at one browser, in one language, taking screenshots as they go."""

    def __init__(self, page, base_url: str, language: str):
        self.page = page
        self.base = base_url
        self.language = language

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def login(self, email: str, password: str = PASSWORD):
        self.go("/login")
        if self.language != "fr":
            self.page.select_option("#locale", self.language)
            self.page.wait_for_load_state()
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("form:not(.langswitch) button[type=submit]")
        self.page.wait_for_load_state()
        if self.page.locator("html").get_attribute("lang") != self.language:
            # the account kept the language another visitor chose: take this one back
            with self.page.expect_navigation():
                self.page.select_option("#locale", self.language)
            self.page.wait_for_load_state()

    def shot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.language}-{name}.png"), full_page=True)


@pytest.fixture(params=["fr", "ar"])
def visitor(request, browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=request.param)
    page = context.new_page()
    yield Visitor(page, live_server, request.param)
    context.close()
