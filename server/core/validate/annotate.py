"""Write an annotated copy of an uploaded report: Status filled, bad cells red.

The copy is written by the report writer from the uploaded values in the
uploaded order, so a user who sorted the sheet gets it back sorted. Locked
cells keep the user's edits, marked, so that they see what to change back.
"""

from __future__ import annotations

import logging

from ..readback import UploadedReport, meta_list, read_side_sheets
from ..workbook import ReportMeta, WorkbookInfo, write_values
from .result import ValidationResult

logger = logging.getLogger(__name__)


def write_annotated(
    target,
    uploaded: UploadedReport,
    result: ValidationResult,
    *,
    meta: ReportMeta | None = None,
) -> WorkbookInfo:
    """Write ``uploaded`` to ``target`` with each row's status and marked cells.

    ``meta`` is the stored report's metadata, which fills the Summary sheet.
    Without it the Summary lists what the hidden sheet contains: the report id,
    time and mapping options, but no source files and no warnings.
    """
    if meta is None:
        meta = ReportMeta(
            report_id=uploaded.report_id,
            generated_at=uploaded.meta.get("generated_at", ""),
            mapping_options=meta_list(uploaded.meta, "mapping_options"),
        )

    sis_users, alternates = read_side_sheets(uploaded)
    value_rows = [list(row.values) for row in uploaded.rows]
    info = write_values(
        target,
        value_rows,
        meta,
        statuses=result.statuses(),
        marks=result.marks(),
        sis_users=sis_users or None,
        alternates=alternates,
    )
    logger.info(
        "wrote annotated copy of report %s: %d rows", uploaded.report_id, info.rows
    )

    return info
