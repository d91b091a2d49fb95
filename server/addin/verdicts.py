"""Write validation verdicts and Update Users outcomes into an xlwings book.

Every write becomes an xlwings action. The Status column of each Mapping sheet
is one ``setValues``. A cleared fill over the data rows comes before the red
fill of each bad cell. Then come the selection of the first error and an alert
with the counts. The add-in applies them to the open workbook.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from ..core import layout
from ..core.plural import counted
from ..core.readback import UploadedReport
from ..core.update import UpdatePlan
from ..core.validate import ValidationResult
from ..core.workbook_style import MARK_FILL

logger = logging.getLogger(__name__)

TITLE = "SIS Data Prep"
MARK_COLOR = "#" + MARK_FILL.fgColor.rgb[-6:]
# Each marked cell is one action, so a report with errors on every row marks
# only this many cells. The Status column still lists every error.
MAX_MARKED_CELLS = 5000
CONFIRM_CALLBACK = "confirmSubmit"


def sheet_extents(uploaded: UploadedReport) -> dict[str, int]:
    """Return the last Excel row with data on each Mapping sheet."""
    extents = {sheet: layout.HEADER_ROWS for sheet in uploaded.sheets}
    for row in uploaded.rows:
        extents[row.sheet] = max(extents[row.sheet], row.row)

    return extents


def write_statuses(book, uploaded: UploadedReport, texts: Mapping) -> None:
    """Fill the Status column of every Mapping sheet from ``texts``.

    ``texts`` maps ``(sheet, Excel row)`` to the Status text. Rows without an
    entry get an empty Status, which clears what an earlier run wrote.
    """
    first = layout.HEADER_ROWS + 1
    for sheet, last in sheet_extents(uploaded).items():
        if last < first:
            continue

        column = uploaded.positions[sheet][layout.STATUS] + 1
        values = [[texts.get((sheet, row), "")] for row in range(first, last + 1)]
        # raw_value skips xlwings' converters, which would resize the range
        # by copying the whole sheet's values.
        book.sheets[sheet].range((first, column), (last, column)).raw_value = values


def mark_cells(book, uploaded: UploadedReport, result: ValidationResult) -> int:
    """Clear the fills of the data rows, then fill each bad cell red.

    Return how many cells were marked, at most MAX_MARKED_CELLS.
    """
    first = layout.HEADER_ROWS + 1
    for sheet, last in sheet_extents(uploaded).items():
        if last >= first:
            width = max(uploaded.positions[sheet]) + 1
            book.sheets[sheet].range((first, 1), (last, width)).color = None

    marked = 0
    for row in result.rows:
        for column in row.columns:
            if marked == MAX_MARKED_CELLS:
                return marked

            position = uploaded.positions[row.sheet][column] + 1
            book.sheets[row.sheet].range((row.row, position)).color = MARK_COLOR
            marked += 1

    return marked


def select_first_error(book, uploaded: UploadedReport, result: ValidationResult):
    """Activate and select the first bad cell; return its name or None."""
    row = result.first_error()
    if row is None:
        return None

    column = row.columns[0] if row.columns else layout.STATUS
    sheet = book.sheets[row.sheet]
    sheet.activate()
    sheet.range((row.row, uploaded.positions[row.sheet][column] + 1)).select()

    return uploaded.cell(row.sheet, row.row, column)


def count_text(totals: Mapping[str, int]) -> str:
    return (
        f"{counted(totals['rows'], 'row')} checked: {totals['error']:,} with errors, "
        f"{totals['warning']:,} with warnings, {totals['ok']:,} OK."
    )


def notes_text(result: ValidationResult, limit: int = 3) -> str:
    notes = result.notes[:limit]
    if len(result.notes) > limit:
        notes.append(f"And {counted(len(result.notes) - limit, 'more note')}.")

    return "\n".join(notes)


def write_verdicts(book, uploaded: UploadedReport, result: ValidationResult) -> dict:
    """Write statuses and marks, select the first error, and return a summary."""
    texts = {(row.sheet, row.row): row.status_text() for row in result.rows}
    write_statuses(book, uploaded, texts)
    marked = mark_cells(book, uploaded, result)
    first_error = select_first_error(book, uploaded, result)
    logger.info(
        "Wrote %d statuses and %d marks for report %s",
        len(texts),
        marked,
        uploaded.report_id,
    )

    return {"totals": result.totals, "first_error": first_error, "marked": marked}


def error_guide(first_error: str | None, marked: int) -> str:
    if first_error is None:
        return ""

    guide = (
        f"The first error is in {first_error}, which is selected now. To go back "
        f"to it, press Ctrl+G (Go To) and enter {first_error}. To list every "
        "error, filter the Status column on 'Error'."
    )
    if marked == MAX_MARKED_CELLS:
        guide += f" Only the first {MAX_MARKED_CELLS:,} bad cells are coloured."

    return guide


def alert(book, prompt: str, *, buttons: str = "ok", mode: str = "info", callback=""):
    book.app.alert(prompt, title=TITLE, buttons=buttons, mode=mode, callback=callback)


def validate_alert(book, result: ValidationResult, summary: dict) -> None:
    """Alert the counts of a Validate run and how to reach the first error."""
    parts = [f"Report {result.report_id}: {count_text(result.totals)}"]
    guide = error_guide(summary["first_error"], summary["marked"])
    if guide:
        parts.append(guide)
    notes = notes_text(result)
    if notes:
        parts.append(notes)

    mode = "critical" if result.has_errors else "info"
    alert(book, "\n\n".join(parts), mode=mode)


def stopped_alert(book, result: ValidationResult, summary: dict) -> None:
    """Alert that Submit stopped on errors before anything changed."""
    parts = [
        f"Submit stopped, and nothing changed in Schoology: "
        f"{count_text(result.totals)}",
        error_guide(summary["first_error"], summary["marked"]),
        "Fix the rows marked Error, then run Submit again.",
    ]
    alert(book, "\n\n".join(part for part in parts if part), mode="critical")


def preview_alert(book, result: ValidationResult, plan: UpdatePlan) -> None:
    """Ask for confirmation of the previewed changes."""
    totals = plan.totals
    per_scenario = ", ".join(
        f"scenario {scenario}: {counts.get('change', 0):,}"
        for scenario, counts in sorted(plan.counts.items())
    )
    warnings = counted(result.totals["warning"], "row")
    users = counted(len(plan.changes), "Schoology user")
    linked = counted(totals["unchanged"], "is", "are")
    blank = counted(totals["blank"], "row has", "rows have")
    prompt = (
        f"Report {plan.report_id} has no errors ({warnings} with warnings).\n\n"
        f"Update Users will set the Unique ID of {users} ({per_scenario}). "
        f"{linked} linked already and {blank} no Integration-Mapping ID.\n\n"
        "Press OK to run Update Users now, or Cancel to change nothing."
    )
    alert(book, prompt, buttons="ok_cancel", callback=CONFIRM_CALLBACK)


def batch_time(created_at: str) -> str:
    """Format a batch's ISO 8601 time in UTC, as ``2026-12-04 10:15:00 UTC``.

    The models store UTC. The database may return the time with another
    offset (PostgreSQL uses the session's time zone) or with none, which is
    read as UTC.
    """
    moment = datetime.fromisoformat(created_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)

    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def outcome_texts(uploaded: UploadedReport, batch: dict) -> dict:
    """Map each row to its Status after Update Users.

    The rows of the batch's changes, found by Schoology User ID, say that they
    were updated, in which batch and when. Every other row keeps the Status
    that the preview wrote, as the workbook contains it now.
    """
    texts = {}
    rows_by_user = {}
    for row in uploaded.rows:
        current = row.values[layout.STATUS]
        texts[(row.sheet, row.row)] = "" if current is None else str(current)
        schoology_id = layout.cell_text(row.values[layout.SCHOOLOGY_ID])
        if schoology_id:
            rows_by_user[schoology_id] = (row.sheet, row.row)

    stamp = f"Updated in batch {batch['id']} at {batch_time(batch['created_at'])}"
    for change in batch["changes"]:
        where = rows_by_user.get(change["schoology_id"])
        if where is not None:
            before = change["before"] or "(empty)"
            texts[where] = f"{stamp}: Unique ID {before} -> {change['after']}."

    return texts


def write_outcome(book, uploaded: UploadedReport, batch: dict) -> None:
    """Write the Update Users outcome into the Status column and alert it."""
    write_statuses(book, uploaded, outcome_texts(uploaded, batch))
    prompt = (
        f"Update Users set the Unique ID of {batch['change_count']:,} Schoology "
        f"users in batch {batch['id']} at {batch_time(batch['created_at'])}. "
        "Their rows say 'Updated' in the Status column.\n\nAn admin can undo the "
        "latest batch on the Update Users page or with 'dataprep undo'."
    )
    alert(book, prompt)
