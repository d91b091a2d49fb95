"""Write the blank workbook templates that the server offers for download.

- ``user-mapping-report.xlsx``: a report with no rows, written by the report
  writer itself, so it has the same headers, sheet protection, data
  validation, conditional formatting and Summary layout as a real report.
  Its hidden sheet has no report id, so validation rejects it as an upload.
- ``schoology-users.xlsx``: the columns of a Schoology user export.
- ``sis-users.xlsx``: a generic SIS sheet with a drop-down list of roles.

The output is byte-for-byte reproducible: the document properties and every
zip entry carry one fixed time, so a test can regenerate the templates and
compare them with the committed copies.

Run ``python -m server.core.templates OUTDIR`` to write them.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from . import workbook_style as style
from .workbook import ReportMeta, write_values

logger = logging.getLogger(__name__)

REPORT_TEMPLATE = "user-mapping-report.xlsx"
SCHOOLOGY_TEMPLATE = "schoology-users.xlsx"
SIS_TEMPLATE = "sis-users.xlsx"

# The time stamped on every template. Zip entry times cannot be earlier than
# 1980, the start of the DOS date format.
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
FIXED_W3CDTF = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
CORE_PROPERTIES = "docProps/core.xml"
CORE_TIME = re.compile(
    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)"
)


def report_template() -> bytes:
    """Build the blank user mapping report as xlsx bytes."""
    meta = ReportMeta(report_id="", generated_at="")
    buffer = io.BytesIO()
    write_values(buffer, [], meta)

    return buffer.getvalue()


def schoology_template() -> bytes:
    """Build the blank Schoology user export sheet as xlsx bytes."""
    return _table_template("Users", style.SCHOOLOGY_TEMPLATE_COLUMNS)


def sis_template() -> bytes:
    """Build the blank generic SIS sheet, its Role column validated by a list."""
    role_index = [column.name for column in style.SIS_TEMPLATE_COLUMNS].index("Role")

    def add_validation(ws) -> None:
        ws.data_validations.append(style.role_validation(role_index))

    return _table_template("Users", style.SIS_TEMPLATE_COLUMNS, add_validation)


TEMPLATES: dict[str, Callable[[], bytes]] = {
    REPORT_TEMPLATE: report_template,
    SCHOOLOGY_TEMPLATE: schoology_template,
    SIS_TEMPLATE: sis_template,
}


def _table_template(title: str, columns, finish=None) -> bytes:
    """Build a one-sheet workbook with a bold header and Text ID columns."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title)
    style.set_column_widths(ws, [column.width for column in columns])
    style.set_text_columns(
        ws, [index for index, column in enumerate(columns) if column.is_id]
    )
    ws.freeze_panes = "A2"
    ws.append(style.plain_header_row(ws, [column.name for column in columns]))
    ws.auto_filter.ref = f"A1:{style.column_letter(len(columns) - 1)}1"
    if finish is not None:
        finish(ws)

    buffer = io.BytesIO()
    workbook.save(buffer)

    return buffer.getvalue()


def make_reproducible(data: bytes) -> bytes:
    """Rewrite an xlsx file with fixed document times and zip entry dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == CORE_PROPERTIES:
                replacement = rb"\g<1>" + FIXED_W3CDTF.encode() + rb"\g<2>"
                content = CORE_TIME.sub(replacement, content)
            fixed = zipfile.ZipInfo(
                entry.filename, date_time=FIXED_TIME.timetuple()[:6]
            )
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)

    return buffer.getvalue()


def write_templates(folder: str | Path) -> list[Path]:
    """Write every template into ``folder`` and return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in TEMPLATES.items():
        path = folder / name
        path.write_bytes(make_reproducible(build()))
        paths.append(path)
    logger.info("wrote %d templates", len(paths))

    return paths


def main(argv: list[str] | None = None) -> int:
    """Write the templates into the folder named on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m server.core.templates OUTDIR", file=sys.stderr)
        return 2

    for path in write_templates(args[0]):
        print(path)

    return 0


if __name__ == "__main__":
    sys.exit(main())
