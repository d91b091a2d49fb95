"""The task pane and the dialog page in Chromium, served by a live server.

Office loads ``office.js`` from Microsoft's CDN. Here Playwright fulfils that
request itself with a stand-in that provides the few Office calls the pages
make, so no request leaves 127.0.0.1.
"""

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OFFICE_STAND_IN = """
window.sent = [];
window.created = [];
window.Office = {
  onReady: (callback) => Promise.resolve().then(() => callback && callback({})),
  context: { ui: { messageParent: (message) => window.sent.push(message) } },
};
window.Excel = {
  createWorkbook: async (base64) => window.created.push(base64),
  run: async () => { throw new Error("This test has no workbook."); },
};
"""
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing; install the Debian chromium package.")

    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.route(
        re.compile(r"^https://appsforoffice\.microsoft\.com/"),
        lambda route: route.fulfill(
            body=OFFICE_STAND_IN, content_type="text/javascript"
        ),
    )
    # Anything else that is not the live server is refused, never fetched.
    context.route(
        re.compile(r"^(?!http://127\.0\.0\.1:)(?!https://appsforoffice\.)"),
        lambda route: route.abort(),
    )
    page = context.new_page()
    yield page

    context.close()


def sign_in(page, live_url, headers, min_score=85):
    page.goto(f"{live_url}/addin/help")
    token = headers["Authorization"].removeprefix("Bearer ")
    settings = json.dumps({"token": token, "minScore": min_score})
    page.evaluate(f"localStorage.setItem('sis-dataprep.settings', {settings!r})")


def test_taskpane_lists_templates_and_reports(page, live_url, viewer_headers, report):
    sign_in(page, live_url, viewer_headers)
    page.goto(f"{live_url}/addin/taskpane.html")
    page.wait_for_selector("#reports li button")
    templates = page.locator("#templates li a").all_inner_texts()
    reports = page.locator("#reports li").all_inner_texts()

    assert "user-mapping-report.xlsx" in templates
    assert any(text.startswith(f"Report {report['id']}") for text in reports)
    assert page.locator("#reports li a").count() == 0
    assert page.input_value("#token") == viewer_headers["Authorization"][7:]
    assert page.input_value("#min-score") == "85"


def test_taskpane_opens_report_in_excel(page, live_url, viewer_headers, report):
    sign_in(page, live_url, viewer_headers)
    page.goto(f"{live_url}/addin/taskpane.html")
    page.click("#reports li button")
    page.wait_for_function("window.created.length === 1")

    assert page.evaluate("window.created[0]").startswith("UEsDB")


def test_taskpane_saves_settings(page, live_url, viewer_headers, report):
    sign_in(page, live_url, viewer_headers)
    page.goto(f"{live_url}/addin/taskpane.html")
    page.fill("#min-score", "70")
    page.click("#settings button[type=submit]")
    page.wait_for_selector("#message:has-text('Settings saved.')")
    stored = json.loads(page.evaluate("localStorage.getItem('sis-dataprep.settings')"))
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "addin-taskpane.png"), full_page=True)

    assert stored["minScore"] == 70
    assert stored["token"] == viewer_headers["Authorization"][7:]


def test_taskpane_without_token_asks_for_one(page, live_url):
    page.goto(f"{live_url}/addin/taskpane.html")

    page.wait_for_selector("#message:has-text('Paste your API token')")
    assert page.locator("#templates li").count() == 0


def test_taskpane_rejected_token_says_so(page, live_url, app):
    sign_in(page, live_url, {"Authorization": "Bearer dp_not-a-real-token"})
    page.goto(f"{live_url}/addin/taskpane.html")

    page.wait_for_selector("#message:has-text('rejected the API token')")


def test_dialog_sends_pressed_button(page, live_url):
    query = (
        "title=Submit&prompt=Run%20Update%20Users%3F&buttons=ok_cancel&mode=critical"
    )
    page.goto(f"{live_url}/addin/dialog.html?{query}")
    page.wait_for_selector("#buttons button")
    labels = page.locator("#buttons button").all_inner_texts()
    page.click("#buttons button:has-text('Cancel')")

    assert page.inner_text("#title") == "Submit"
    assert page.inner_text("#prompt") == "Run Update Users?"
    assert labels == ["OK", "Cancel"]
    assert page.evaluate("window.sent") == ["cancel"]
