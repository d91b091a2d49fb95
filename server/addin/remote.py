"""The glue to xlwings' remote engine: payloads in, actions out.

The add-in sends what xlwings' Office.js client sends (book, names, sheets
with their values), and ``xw.Book(json=payload)`` opens it as a book whose
writes are recorded as actions. ``Book.json()`` returns those actions, and the
add-in applies them to the open workbook.

The remote engine is part of xlwings PRO, which reads its license key from
``XLWINGS_LICENSE_KEY`` when ``xlwings`` is first imported. The server starts
without a key, and each add-in request checks for one first.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..core import layout
from ..core.errors import DataPrepError
from ..core.readback import MAPPING_SHEETS_PATTERN

logger = logging.getLogger(__name__)

LICENSE_ENV = "XLWINGS_LICENSE_KEY"
CLIENT_NAME = "Office.js"
# xlwings' other clients send the same payload, but the remote engine accepts
# them only when their xlwings version equals the server's.
CLIENT_NAMES = (CLIENT_NAME, "Microsoft Office Scripts", "Google Apps Script")


class AddinUnavailableError(DataPrepError):
    """An add-in request that the server cannot serve as it is configured."""

    status_code = 503


class PayloadError(DataPrepError):
    """A request body that is not the payload of xlwings' Office.js client."""

    status_code = 400


def require_license() -> None:
    """Check that xlwings' remote engine can run, and register it if needed.

    :raise AddinUnavailableError: when no license key is set or xlwings rejects it.
    """
    key = os.environ.get(LICENSE_ENV, "").strip()
    if not key:
        raise AddinUnavailableError(
            f"The Excel add-in needs xlwings' remote engine, and {LICENSE_ENV} is "
            "not set on the server. Schools may set it to 'noncommercial' under "
            "xlwings' PolyForm Noncommercial license; commercial use needs an "
            "xlwings PRO key. Set the variable and restart the server."
        )

    import xlwings

    if "remote" in [engine.name for engine in xlwings.engines]:
        return

    # xlwings skipped the PRO engines when it was imported before the key was
    # set, so register the remote engine now that there is one.
    try:
        from xlwings.pro import _xlremote
    except xlwings.LicenseError as error:
        raise AddinUnavailableError(
            f"xlwings rejected the key in {LICENSE_ENV} ({error}). Set a valid key "
            "('noncommercial' for noncommercial use) and restart the server."
        ) from None

    xlwings.engines.add(xlwings.Engine(impl=_xlremote.engine))
    logger.info("Registered xlwings' remote engine")


def open_book(payload: Any):
    """Open an add-in payload as an xlwings book on the remote engine.

    :raise PayloadError: when the payload lacks the book, names or sheets, or
        comes from an xlwings client of another version than the server's.
    """
    check_payload(payload)
    require_license()

    import xlwings

    try:
        return xlwings.Book(json=payload)
    except xlwings.XlwingsError as error:
        raise PayloadError(
            f"xlwings could not open the payload: {error} Use the SIS Data Prep "
            "add-in, or an xlwings client of the server's version."
        ) from None


def check_payload(payload: Any) -> None:
    """Check the parts of the payload that the server reads.

    :raise PayloadError: naming the part that is missing or has the wrong type.
    """
    if not isinstance(payload, dict):
        raise PayloadError(
            "The request body is not a JSON object from the SIS Data Prep add-in. "
            "Run Validate or Submit from the SIS Data Prep tab in Excel."
        )

    if payload.get("client") not in CLIENT_NAMES:
        raise PayloadError(
            f"The payload's client is {payload.get('client')!r}, not one of "
            f"xlwings' clients ({', '.join(CLIENT_NAMES)}). Run Validate or Submit "
            "from the SIS Data Prep tab in Excel."
        )

    book = payload.get("book")
    sheets = payload.get("sheets")
    if not isinstance(book, dict) or not isinstance(sheets, list) or not sheets:
        raise PayloadError(
            "The payload has no 'book' object or no 'sheets' list. Reload the "
            "add-in (close and reopen the workbook) and run the command again."
        )

    for position, sheet in enumerate(sheets):
        values = sheet.get("values") if isinstance(sheet, dict) else None
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str):
            raise PayloadError(f"Sheet {position} of the payload has no name.")

        if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
            raise PayloadError(
                f"The values of sheet '{sheet['name']}' in the payload are not a "
                "list of rows."
            )

    payload.setdefault("version", "")
    payload.setdefault("names", [])


def is_report_sheet(name: str) -> bool:
    return name == layout.META_SHEET or bool(MAPPING_SHEETS_PATTERN.match(name))


def report_sheets(book) -> dict[str, list[list]]:
    """Read the meta sheet and every Mapping sheet of a book as lists of rows.

    Numbers arrive as JSON integers or floats, and become floats here, because
    python-calamine reads every number of an uploaded file as a float. Office.js
    sends an empty cell as ``""``, which readback treats as empty.
    """
    sheets = {}
    for sheet in book.sheets:
        if not is_report_sheet(sheet.name):
            continue

        # On the remote engine a sheet's api is its dict in the payload. Its
        # values are read directly, because each xlwings Range over them
        # copies every row of the sheet into tuples first.
        sheets[sheet.name] = [as_read_from_file(row) for row in sheet.api["values"]]

    return sheets


def as_read_from_file(row: Iterable) -> list:
    # One comprehension, because this runs for every cell of the report.
    return [float(value) if type(value) is int else value for value in row]


def sheet_positions(book) -> dict[str, int]:
    """Map each sheet name to its 0-based position, as actions address sheets."""
    return {sheet.name: sheet.index - 1 for sheet in book.sheets}


def status_column(values: Sequence[Sequence]) -> int:
    """Find the 0-based sheet column of the Status header in row 2."""
    header = values[layout.HEADER_ROWS - 1] if len(values) >= layout.HEADER_ROWS else []
    for position, text in enumerate(header):
        if layout.cell_text(text).strip().casefold() == "status":
            return position

    return layout.STATUS


def without_status(sheets: Mapping[str, list[list]]) -> dict[str, list[list]]:
    """Blank the Status column of every Mapping sheet.

    The Status column is the add-in's own to write, so a preview and the
    submit that confirms it must compare equal even after it was written.
    """
    cleaned = {}
    for name, values in sheets.items():
        if name == layout.META_SHEET:
            cleaned[name] = values
            continue

        column = status_column(values)
        rows = [list(row) for row in values]
        for row in rows[layout.HEADER_ROWS :]:
            if column < len(row):
                row[column] = ""
        cleaned[name] = rows

    return cleaned
