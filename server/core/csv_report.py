"""Write a user mapping report as CSV, one row at a time.

The file is UTF-8 with a byte order mark, because Excel on Windows opens a CSV
without one in the local code page and garbles accented names. The header is
``layout.COLUMN_NAMES`` and each row is ``layout.row_values``.

Formula guard (CSV injection, CWE-1236): Excel, LibreOffice and Google Sheets
run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can hide such a character. Every text cell that
begins with one of these gets an apostrophe in front (``'=HYPERLINK(...)``),
so a name or email typed into the SIS cannot run as a formula when an admin
opens the report. Programs that read the file as plain text see the
apostrophe as part of the value.

IDs are written exactly as the exports spelled them, so ``004512`` and
17-digit numbers keep every digit in the file. NOTE: Excel converts
digit-only columns to numbers when it opens a CSV by double-click, which drops
leading zeros. Import with Data > From Text/CSV and set the ID columns to Text,
or use the .xlsx report, which stores IDs as text.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import DataPrepError
from .layout import COLUMN_NAMES, ReportRow, row_values

logger = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

# Rows between two calls of the progress callback.
PROGRESS_EVERY = 10_000


def guard_cell(value):
    """Prefix an apostrophe to a text cell that a spreadsheet would run as a formula.

    Numbers and ``None`` come back unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value

    return value


def iter_csv(
    rows: Iterable[ReportRow],
    *,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """Yield the report as CSV text: the byte order mark and header, then each row.

    ``progress`` is called with the number of rows written so far, every
    ``PROGRESS_EVERY`` rows and once at the end. Only one row is held in
    memory at a time, so the web view can stream the result.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    writer.writerow(COLUMN_NAMES)
    yield BOM + _take(buffer)

    written = 0
    for row in rows:
        writer.writerow([guard_cell(value) for value in row_values(row)])
        yield _take(buffer)

        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)

    if progress is not None:
        progress(written)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()

    return text


def write_csv(
    target: str | Path,
    rows: Iterable[ReportRow],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the report rows to a CSV file and return the number of data rows.

    The rows go to a temporary file in the same folder, which replaces
    ``target`` only once every row is written, so a failure never leaves a
    half-written report behind.

    :raise DataPrepError: when the folder of ``target`` does not exist or
        cannot be written.
    """
    target = Path(target)
    try:
        handle = tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            newline="",
            dir=target.parent,
            prefix=f".{target.name}.",
            suffix=".part",
            delete=False,
        )
    except OSError as error:
        raise _write_error(target, error) from error

    # The first chunk is the header, and every later chunk is one row.
    written = -1
    try:
        with handle:
            for chunk in iter_csv(rows, progress=progress):
                handle.write(chunk)
                written += 1

        os.replace(handle.name, target)
    except OSError as error:
        os.unlink(handle.name)
        raise _write_error(target, error) from error
    except BaseException:
        os.unlink(handle.name)
        raise

    logger.info("Wrote a CSV report with %d rows", written)

    return written


def _write_error(target: Path, error: OSError) -> DataPrepError:
    return DataPrepError(
        f"Cannot write the report to {target}: {error.strerror or error}. Choose a"
        " path in a folder that exists and that you can write to."
    )
