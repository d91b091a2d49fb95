"""Build the add-in client's payload from a workbook file.

``payload_from_workbook`` returns the JSON that ``addin/client.js`` sends for
the same workbook open in Excel: every sheet in workbook order, values only
for the Mapping sheets and the meta sheet, from A1 to the last used cell. An
empty cell is ``""`` and a whole number is an ``int``, as Office.js reads
them and ``JSON.stringify`` writes them. The tests and ``benchmarks/addin.py``
use it to send real reports through the add-in's endpoints.
"""

from __future__ import annotations

import io

import openpyxl

from .remote import CLIENT_NAME, is_report_sheet

# The xlwings release that the add-in's client names in its payloads.
CLIENT_VERSION = "0.37.8"
VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


def office_value(value):
    """Return a cell value as Office.js ``Range.values`` reports it."""
    if value is None:
        return ""

    if isinstance(value, float) and value.is_integer():
        return int(value)

    return value


def sheet_values(sheet) -> list[list]:
    rows = [
        [office_value(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    width = max((len(row) for row in rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))

    return rows or [[]]


def payload_from_workbook(data: bytes, name: str = "report.xlsx") -> dict:
    """Build the payload that the add-in sends for a workbook's bytes."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = []
    try:
        for sheet in workbook.worksheets:
            values = sheet_values(sheet) if is_report_sheet(sheet.title) else [[]]
            sheets.append(
                {
                    "name": sheet.title,
                    "visibility": VISIBILITY[sheet.sheet_state],
                    "values": values,
                    "pictures": [],
                    "tables": [],
                }
            )
    finally:
        workbook.close()

    return {
        "client": CLIENT_NAME,
        "version": CLIENT_VERSION,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }
