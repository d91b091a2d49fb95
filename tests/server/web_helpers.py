"""Helpers for the web page tests: sign-in, CSRF tokens, imports and reports.

The pages keep Flask-WTF's CSRF protection on, so every form post carries the
token that a page of the same session rendered, as a browser would send it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl

from server import jobs
from server.auth import create_user
from server.db import get_session

PASSWORD = "correct horse battery"
CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
JOB_PATTERN = re.compile(r"/jobs/([0-9a-f]{32})$")
REPORT_LINK = re.compile(r'href="(/reports/([0-9a-f]{32})/report\.xlsx)"')
UPLOAD_LINK = re.compile(r"/validate/([0-9a-f]{32})/annotated\.xlsx")


def csrf_token(client, path: str = "/login") -> str:
    """Return the CSRF token of the client's session, read from a rendered page."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, f"no CSRF token on {path}"

    return match.group(1)


def add_account(app, username: str, role: str) -> None:
    with app.app_context():
        session = get_session()
        create_user(session, username, PASSWORD, role)
        session.commit()


def sign_in(app, client, username: str = "ada.admin", role: str = "admin"):
    """Create an account and sign the test client in with it."""
    add_account(app, username, role)
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    return client


def post(client, path: str, data: dict | None = None, **kwargs):
    """Post a form with the session's CSRF token added."""
    form = dict(data or {})
    form["csrf_token"] = csrf_token(client, "/")

    return client.post(path, data=form, **kwargs)


def file_field(path: Path, name: str | None = None):
    return (io.BytesIO(path.read_bytes()), name or path.name)


def import_examples(client, examples: Path) -> None:
    """Import the example Schoology export and the OneRoster 1.1 export."""
    response = post(
        client,
        "/sources/schoology",
        {"files": file_field(examples / "schoology" / "users.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    folder = examples / "oneroster"
    response = post(
        client,
        "/sources/sis",
        {
            "files": [
                file_field(folder / "users.csv"),
                file_field(folder / "orgs.csv"),
            ],
            "sis_format": "oneroster",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def generate_report(app, client, options=("email", "name")) -> tuple[str, str]:
    """Start a report job through the page, wait for it; return job and report id."""
    response = post(client, "/generate", {"match": list(options)})
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = JOB_PATTERN.search(response.headers["Location"]).group(1)
    with app.app_context():
        jobs.wait(job_id, timeout=60)

    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    match = REPORT_LINK.search(page)
    assert match, page

    return job_id, match.group(2)


def fetch(client, path: str):
    """GET a download and close the response, so its file is closed at once."""
    with client.get(path) as response:
        response.get_data()

    return response


def download_report(client, report_id: str) -> bytes:
    response = fetch(client, f"/reports/{report_id}/report.xlsx")
    assert response.status_code == 200

    return response.data


def mapping_columns(sheet) -> dict[str, int]:
    """Map the Mapping sheet's column names (row 2) to 1-based column numbers."""
    return {cell.value: cell.column for cell in sheet[2] if cell.value}


def set_mapping_ids(data: bytes, ids: dict[str, str | None]) -> bytes:
    """Edit Integration-Mapping IDs by Schoology User ID, as a user would in Excel."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Mapping"]
    columns = mapping_columns(sheet)
    for row in range(3, sheet.max_row + 1):
        schoology_id = sheet.cell(row, columns["Schoology User ID"]).value
        if schoology_id in ids:
            sheet.cell(row, columns["Integration-Mapping ID"]).value = ids[schoology_id]

    buffer = io.BytesIO()
    workbook.save(buffer)

    return buffer.getvalue()


def mapping_rows(data: bytes) -> dict[str, dict[str, object]]:
    """Read the Mapping rows of a workbook, keyed by Schoology User ID."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook["Mapping"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    workbook.close()

    return {
        row[0]: dict(zip(header, row, strict=False))
        for row in rows[2:]
        if row[0] is not None
    }


def upload_workbook(client, path: str, data: bytes, name: str = "edited.xlsx"):
    return post(
        client,
        path,
        {"workbook": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
