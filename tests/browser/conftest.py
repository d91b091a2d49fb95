"""Fixtures for the browser tests: a real server on 127.0.0.1 and Chromium.

The server is the app from ``create_app`` on a SQLite file in a temporary
folder, served by werkzeug in a thread. Chromium is the system's
``/usr/bin/chromium``; Playwright never downloads a browser here. A failing
test leaves a screenshot in ``tests/screenshots/``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from server import close_app, create_app
from server.auth import create_user
from server.db import get_session

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
ADMIN_USERNAME = "ada.admin"
ADMIN_PASSWORD = "browser-test-password"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)

    return report


@dataclass
class LiveServer:
    """The app served on 127.0.0.1 and its base URL without a trailing slash."""

    url: str
    app: object


@pytest.fixture
def live_server(tmp_path):
    """Serve a fresh app with one admin account."""
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "DATABASE_URL": "sqlite:///" + str(tmp_path / "dataprep.sqlite"),
            "DATAPREP_JOBS": "thread",
            "DATAPREP_STORAGE_DIR": str(tmp_path / "storage"),
        },
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        session = get_session()
        create_user(session, ADMIN_USERNAME, ADMIN_PASSWORD, "admin")
        session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)

    server.shutdown()
    thread.join(timeout=10)
    close_app(app)


@pytest.fixture(scope="session")
def browser():
    """Launch the system Chromium once for the session."""
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
    """Open a page that accepts downloads; screenshot it if the test fails."""
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()
