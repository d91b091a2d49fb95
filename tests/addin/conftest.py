"""Fixtures for the add-in tests: a stored report and payloads built from it.

``payload_from_workbook`` turns workbook bytes into the JSON that the add-in's
client (``addin/client.js``) sends: every sheet in workbook order, values only
for the Mapping sheets and the meta sheet, from A1 to the last used cell, with
``""`` for an empty cell and whole numbers as JSON integers, as Office.js
reads them and ``JSON.stringify`` writes them.
"""

import io

import openpyxl
import pytest

from server.core import layout
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


def is_report_sheet(name: str) -> bool:
    return name == layout.META_SHEET or name.startswith(layout.MAPPING_SHEET)


def office_value(value):
    """Return a cell value as Office.js ``Range.values`` reports it."""
    if value is None:
        return ""

    if isinstance(value, float) and value.is_integer():
        return int(value)

    return value


def sheet_values(sheet) -> list[list]:
    rows = []
    for row in sheet.iter_rows(
        min_row=1, max_row=sheet.max_row, max_col=sheet.max_column, values_only=True
    ):
        rows.append([office_value(value) for value in row])

    return rows


def payload_from_workbook(data: bytes, name: str = "report.xlsx") -> dict:
    """Build the add-in client's payload for a workbook."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheets = []
    for sheet in workbook.worksheets:
        values = sheet_values(sheet) if is_report_sheet(sheet.title) else [[]]
        sheets.append(
            {
                "name": sheet.title,
                "visibility": {
                    "visible": "Visible",
                    "hidden": "Hidden",
                    "veryHidden": "VeryHidden",
                }[sheet.sheet_state],
                "values": values,
                "pictures": [],
                "tables": [],
            }
        )

    return {
        "client": "Office.js",
        "version": "0.37.8",
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


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
