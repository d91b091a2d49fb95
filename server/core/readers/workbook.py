"""Read the first sheet of a workbook as a Table of text, with python-calamine.

Staff fill in the workbook templates in Excel, where an ID typed into a cell
that is not formatted as Text becomes a number. Such a cell is read as the
integer text it shows and recorded in ``Table.numeric_cells``, so that a
reader can warn about the ID columns among them.
"""

from __future__ import annotations

import codecs
import datetime
import logging
import sys
import zipfile
from pathlib import Path

from lxml import etree
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from ..errors import ExportError
from ..xlsx import package_problem, sheet_parts, unsaved_formulas
from .source import (
    EXACT_FLOAT_LIMIT,
    MAX_TITLE_LINES,
    Table,
    fit_row,
    header_index,
    title_warning,
)

logger = logging.getLogger(__name__)


def cell_text(value) -> tuple[str, bool]:
    """Convert a cell value to text, paired with True when it was a number."""
    if isinstance(value, str):
        return value, False

    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False

    if isinstance(value, int):
        return str(value), True

    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), True
        return repr(value), True

    if isinstance(value, datetime.datetime):
        text = value.isoformat()
        return text.removesuffix("T00:00:00"), False

    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat(), False

    if value is None:
        return "", False

    return str(value), False


def check_package(path: Path) -> None:
    """Check a workbook's ZIP package before python-calamine unpacks it.

    A file that is no ZIP archive, such as an Excel 97-2003 workbook, is left
    to python-calamine, whose error names what it found.

    :raise ExportError: for parts that unpack too far, or a formula on the
        first sheet with no saved value, which would read as a blank cell.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return

    with archive:
        problem = package_problem(archive)
        if problem is not None:
            raise ExportError(f"{path.name} {problem}")

        try:
            first_sheet = next(iter(sheet_parts(archive)), None)
        except (KeyError, etree.XMLSyntaxError):
            return
        if first_sheet is None:
            return

        formulas = unsaved_formulas(archive, [first_sheet]).get(first_sheet)

    if formulas:
        (row, column), formula = min(formulas.items())
        more = len(formulas) - 1
        others = ""
        if more:
            others = f" ({more} more {'cell is' if more == 1 else 'cells are'} like it)"
        raise ExportError(
            f"{path.name}, sheet '{first_sheet}', cell "
            f"{get_column_letter(column + 1)}{row}: the cell contains the formula "
            f"={formula} but no saved value{others}, so the value cannot be read. "
            "Open the file in Excel and save it, or export the data as CSV."
        )


def unreadable_workbook(path: Path, sample: bytes) -> str:
    """Say why a file that python-calamine rejected is no readable workbook."""
    if sample.startswith(b"PK\x03\x04"):
        if path.suffix.lower() == ".zip":
            return (
                "the ZIP archive is not a workbook. A ZIP archive is read only "
                "as a OneRoster SIS export. Otherwise unzip it and pass the CSV "
                "file inside."
            )
        return (
            "the workbook is damaged: its ZIP structure is incomplete. Save it "
            "again from Excel as .xlsx, or export CSV."
        )

    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            "the file is an Excel 97-2003 workbook that cannot be read, or a "
            "workbook with a password to open. Remove the password and save it "
            "from Excel as .xlsx, or export CSV."
        )

    if b"\x00" not in sample and _decodes(sample):
        return (
            f"the file is named {path.suffix} but contains text, not a "
            "workbook. If it is a CSV export, rename it to end in .csv."
        )

    return (
        f"the file is named {path.suffix} but is not a workbook. Export the "
        "data again as .xlsx or CSV."
    )


def _decodes(sample: bytes) -> bool:
    """Tell whether a sample is UTF-8 or Windows-1252 text, as CSV exports are."""
    # The sample may end inside a UTF-8 sequence, which a final decode rejects.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        pass

    try:
        sample.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def open_workbook(path: Path, sample: bytes) -> Table:
    """Load the first sheet of a workbook into a Table.

    :raise ExportError: when the file is not a workbook that calamine can
        read, or its first sheet has no header row.
    """
    check_package(path)
    # NOTE: the sheet is loaded whole, so 100,000 rows as xlsx took about three
    # times the memory and five times the time of the same rows as CSV.
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        cells = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as error:
        # The library's text can quote bytes of the file, so only its type is
        # logged and the message names the cause from the file's first bytes.
        logger.info("python-calamine could not read a workbook: %s", type(error))
        raise ExportError(f"{path.name}: {unreadable_workbook(path, sample)}") from None

    table = Table(path=path, headers=[], unit="row", sheet=sheet.name)
    header_number, titles = find_header_row(cells)
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(cells, start=1):
        if number < header_number:
            continue

        texts = [
            convert(table, number, column, value) for column, value in enumerate(values)
        ]
        if not any(text.strip() for text in texts):
            continue

        if not table.headers:
            # Calamine pads every row to the widest one, so a value to the
            # right of the last header arrives as an unnamed column.
            while texts and not texts[-1].strip():
                texts.pop()
            table.headers = [sys.intern(text.strip()) for text in texts]
            table.header_line = number
            # A header cell is never an ID, so its number format does not matter.
            table.numeric_cells.clear()
            continue

        while len(texts) > len(table.headers) and not texts[-1].strip():
            texts.pop()
        rows.append((number, fit_row(table, texts, number)))

    if not any(header.strip() for header in table.headers):
        raise ExportError(
            f"{path.name}, sheet '{sheet.name}': the sheet is empty. Put the "
            "column names in the first row and the users below them."
        )

    if titles:
        table.warnings.append(title_warning(table, titles))
    table._rows = lambda: iter(rows)
    logger.info("Opened a workbook sheet: %d data rows", len(rows))

    return table


def find_header_row(cells: list[list]) -> tuple[int, list[str]]:
    """Find the 1-based number of the header row, and the title rows above it."""
    candidates: list[tuple[int, list[str]]] = []
    for number, values in enumerate(cells, start=1):
        texts = [cell_text(value)[0] for value in values]
        if any(text.strip() for text in texts):
            candidates.append((number, texts))
        if len(candidates) > MAX_TITLE_LINES:
            break

    if not candidates:
        return 1, []

    index = header_index([texts for _number, texts in candidates])
    titles = [
        " ".join(t for t in texts if t.strip()) for _n, texts in candidates[:index]
    ]

    return candidates[index][0], titles


def convert(table: Table, row: int, column: int, value) -> str:
    """Convert one cell and record where a number stood in for text."""
    text, numeric = cell_text(value)
    if numeric:
        cell = f"{get_column_letter(column + 1)}{row}"
        if isinstance(value, float) and abs(value) >= EXACT_FLOAT_LIMIT:
            cell += " (rounded by the spreadsheet)"
        table.numeric_cells.setdefault(column, []).append(cell)

    return text
