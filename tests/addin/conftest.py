"""Fixtures for the add-in tests: a stored report and the accounts to use it.

Payloads come from ``server.addin.payloads.payload_from_workbook``, which
builds what the add-in's client sends for a workbook file.
"""

import threading

import pytest
from werkzeug.serving import make_server

from server.addin.payloads import payload_from_workbook
from tests.server.conftest import (
    STUDENT_ROW,
    TEACHER_ROW,
    download,
    edit_report,
    generate_report,
    import_examples,
    make_account,
)

__all__ = ["STUDENT_ROW", "TEACHER_ROW", "edit_report", "payload_from_workbook"]


@pytest.fixture(autouse=True)
def xlwings_license(monkeypatch):
    """Set the noncommercial xlwings key that the remote engine needs."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture
def admin_headers(app) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_account(app, 'alma.admin', 'admin')}"}


@pytest.fixture
def viewer_headers(app) -> dict[str, str]:
    token = make_account(app, "victor.viewer", "viewer")

    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def report(client, admin_headers, examples_dir) -> dict:
    """Import the example district and generate a report; returns its summary."""
    import_examples(client, admin_headers, examples_dir)

    return generate_report(client, admin_headers)["report"]


@pytest.fixture
def report_bytes(client, admin_headers, report) -> bytes:
    return download(client, admin_headers, report["id"])


@pytest.fixture
def live_url(app):
    """Serve the app on a free port of 127.0.0.1 and return its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"

    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
