"""The rules that an edited user mapping report must pass before Update Users.

Rows are matched to the stored report by ``layout.row_key`` (Schoology User ID
and SIS Local ID), never by position, so a sorted or filtered sheet validates
the same. The rules, in the order a row meets them:

- a row that the stored report does not have (inserted or copied) is an error;
- a locked cell that differs from the stored row is an error, whatever sheet
  protection allowed;
- a user who left either side, or whose role or Unique ID changed since the
  report was generated, is a warning;
- the Integration-Mapping ID is trimmed, and a number, scientific notation or
  a leading apostrophe is an error that names the likely intended ID;
- the ID must be a SIS local ID in the current snapshot, and its prefix must
  fit the Schoology user's role. It may sit on one row only, and must not be
  the Unique ID of another Schoology user already;
- a scenario 1 row's ID must equal its SIS Local ID, and clearing it is a
  warning (those two users stay unlinked); a scenario 3 row cannot carry one.

Stored rows missing from the upload are warnings: the upload then links
nobody on them.
"""

from __future__ import annotations

import logging

from ..errors import ConflictError, ReportNotFoundError, WorkbookError
from ..frontend import sentence_step
from ..readback import UploadedReport
from ..readers.source import gc_paused
from .context import StoredReport, ValidationContext
from .result import ValidationResult
from .rows import RowChecker

logger = logging.getLogger(__name__)


def validate(uploaded: UploadedReport, context: ValidationContext) -> ValidationResult:
    """Check every row of an uploaded report against the stored report and state.

    :raise ReportNotFoundError: the report id is not the stored report's.
    :raise ConflictError: the report was superseded or applied already.
    :raise WorkbookError: the hidden report data belongs to another report.
    """
    stored = check_report(uploaded, context)
    checker = RowChecker(uploaded, context, stored)
    # Validation makes no reference cycles, but its result objects would set
    # off full collections that walk every row read. Pausing the collector
    # cut the time of 100,000 rows by about 30% (benchmarks/validate.py).
    with gc_paused():
        rows = [checker.check(index, row) for index, row in enumerate(uploaded.rows)]
        checker.resolve_unknown()
        checker.mapping_ids.check_repeats(rows)

    deleted = checker.deleted_keys()
    result = ValidationResult(
        report_id=uploaded.report_id,
        name=uploaded.name,
        source_digest=uploaded.source_digest,
        rows=rows,
        notes=list(uploaded.warnings) + checker.deleted_notes(deleted),
        deleted=len(deleted),
    )
    logger.info("validated report %s: %s", uploaded.report_id, result.totals)

    return result


def unknown_report(name: str, report_id: str) -> ReportNotFoundError:
    """Build the error about a workbook of a report that is not stored here."""
    return ReportNotFoundError(
        f"{name} is report {report_id}, which this server has no record of: it "
        "may come from another server or have been deleted. "
        f"{sentence_step('generate_report')} and make your edits there."
    )


def check_report(uploaded: UploadedReport, context: ValidationContext) -> StoredReport:
    """Check that the upload is the stored report and that it is still current."""
    stored = context.report
    if stored is None or stored.report_id != uploaded.report_id:
        raise unknown_report(uploaded.name, uploaded.report_id)

    if stored.applied_at:
        raise ConflictError(
            f"Report {stored.report_id} was applied already on {stored.applied_at}, "
            "so applying it again would change nothing. "
            f"{sentence_step('generate_report')} to map the users that are still "
            "unmatched."
        )

    if stored.superseded:
        newer = f"report {stored.newer_report_id}" if stored.newer_report_id else ""
        raise ConflictError(
            f"Report {stored.report_id} is out of date because "
            f"{newer or 'a newer report'} was generated after it. "
            f"{sentence_step('get_newest_report')} and make your edits there."
        )

    if stored.digest and uploaded.digest != stored.digest:
        raise WorkbookError(
            f"{uploaded.name} is marked as report {stored.report_id}, but its hidden "
            "report data does not match that report as generated. "
            f"{sentence_step('get_stored_report', report_id=stored.report_id)} and "
            "make your edits there."
        )

    return stored
