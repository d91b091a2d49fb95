"""Upload and Validate: check an edited report, annotate it, accept suggestions."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user

from ..auth import current_actor, viewer_required
from ..core import layout
from ..core.errors import DataPrepError
from ..core.readback import UploadedReport, meta_list, read_side_sheets
from ..core.suggest import accept_suggestions
from ..core.validate import ERROR, OK, WARNING, ValidationResult, write_annotated
from ..core.workbook import ReportMeta, write_values
from ..db import get_session
from ..services import validation as validation_service
from ..services.updates import get_upload
from .forms import uploaded_file

logger = logging.getLogger(__name__)

bp = Blueprint("validate", __name__, url_prefix="/validate")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MIN_SCORE = 90
# The page lists at most this many rows of each kind; the annotated copy has all.
MAX_PROBLEM_ROWS = 2000
MAX_OK_ROWS = 200
LEVEL_LABELS = {ERROR: "Error", WARNING: "Warning", OK: "OK"}


def result_view(
    upload_id: str, uploaded: UploadedReport, result: ValidationResult
) -> dict:
    """Describe a validation result for the page: totals and rows by level."""
    totals = result.totals
    problems = []
    ok_rows = []
    hidden = 0
    for index, row in enumerate(result.rows):
        values = uploaded.rows[index].values
        if row.level == OK:
            if len(ok_rows) < MAX_OK_ROWS:
                ok_rows.append(
                    {
                        "sheet": row.sheet,
                        "row": row.row,
                        "mapping_id": row.mapping_id,
                        "schoology_id": layout.cell_text(values[layout.SCHOOLOGY_ID]),
                    }
                )
            continue

        if len(problems) >= MAX_PROBLEM_ROWS:
            hidden += 1
            continue

        problems.append(problem_view(uploaded, row, values))

    return {
        "upload_id": upload_id,
        "file_name": uploaded.name,
        "report_id": uploaded.report_id,
        "rows": totals["rows"],
        "errors": totals["error"],
        "warnings": totals["warning"],
        "ok": totals["ok"],
        "with_ids": totals["ids"],
        "deleted": totals["deleted"],
        "notes": list(result.notes),
        "problems": problems,
        "problems_hidden": hidden,
        "ok_rows": ok_rows,
    }


def problem_view(uploaded: UploadedReport, row, values) -> dict:
    """Describe one row with errors or warnings, one entry per finding."""
    ordered = sorted(row.issues, key=lambda issue: issue.level != ERROR)
    messages = []
    for issue in ordered:
        if issue.column is None:
            cell = f"{row.sheet}!{row.row}:{row.row}"
        else:
            cell = uploaded.cell(row.sheet, row.row, issue.column)
        messages.append(split_message(issue.message, cell, issue.level))

    return {
        "sheet": row.sheet,
        "row": row.row,
        "level": row.level,
        "level_label": LEVEL_LABELS[row.level],
        "schoology_id": layout.cell_text(values[layout.SCHOOLOGY_ID]),
        "local_id": layout.cell_text(values[layout.SIS_LOCAL_ID]),
        "messages": messages,
    }


def split_message(message: str, cell: str, level: str) -> dict:
    """Split a finding into its cell and its text.

    Validation messages start with the cell they are about ("Mapping!V17: ..."),
    which the page shows in a column of its own.
    """
    prefix, separator, text = message.partition(": ")
    if separator and "!" in prefix and " " not in prefix.split("!")[-1]:
        return {"cell": prefix, "text": text, "level": level}

    return {"cell": cell, "text": message, "level": level}


def render_page(status: int = 200, **values):
    page = render_template(
        "validate/index.html",
        can_update=current_user.is_admin,
        min_score=values.pop("min_score", DEFAULT_MIN_SCORE),
        **values,
    )

    return page, status


def revalidate(upload_id: str) -> validation_service.Validation:
    """Read a stored upload again and validate it against the current data.

    :raise UploadNotFoundError: when no upload has that id.
    :raise ConflictError: when its report was superseded or applied since.
    """
    upload = get_upload(upload_id)
    uploaded = validation_service.reread_upload(upload)

    return validation_service.validate_uploaded(uploaded)


@bp.get("/")
@viewer_required
def index():
    """Show the upload form."""
    return render_page()


@bp.post("/")
@viewer_required
def upload():
    """Validate an uploaded workbook, keep it, and show the results."""
    file = uploaded_file("workbook")
    if file is None:
        return render_page(400, upload_error="Choose the edited report (.xlsx).")

    try:
        checked = validation_service.validate_file(file)
        stored = validation_service.store_upload(
            checked, data=file.data, user=current_actor()
        )
    except DataPrepError as error:
        get_session().rollback()
        return render_page(error.status_code, upload_error=error.message)

    view = result_view(stored.id, checked.uploaded, checked.result)

    return render_page(422 if checked.result.has_errors else 200, result=view)


@bp.get("/<upload_id>")
@viewer_required
def result(upload_id: str):
    """Show the results of a stored upload, validated again now."""
    return render_stored_result(upload_id)


def render_stored_result(upload_id: str, status: int = 200, **values):
    """Validate a stored upload again and render its results.

    A whole-workbook rejection, such as a report superseded since the upload,
    is shown under the file input.
    """
    try:
        checked = revalidate(upload_id)
    except DataPrepError as error:
        get_session().rollback()
        return render_page(error.status_code, upload_error=error.message)

    view = result_view(upload_id, checked.uploaded, checked.result)

    return render_page(status, result=view, **values)


def copy_name(uploaded: UploadedReport, suffix: str) -> str:
    stem = Path(uploaded.name).stem or "user-mapping-report"

    return f"{stem}-{suffix}.xlsx"


@bp.get("/<upload_id>/annotated.xlsx")
@viewer_required
def annotated(upload_id: str):
    """Send a copy of the upload with the Status column filled and bad cells red.

    :raise 404: when no upload has that id.
    :raise 409: when its report was superseded or applied since.
    """
    checked = revalidate(upload_id)
    buffer = io.BytesIO()
    write_annotated(buffer, checked.uploaded, checked.result)
    buffer.seek(0)
    logger.info("Annotated copy of upload %s", upload_id)

    return send_file(
        buffer,
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=copy_name(checked.uploaded, "validated"),
    )


def write_accepted(target, uploaded: UploadedReport, accepted) -> None:
    """Write the upload with accepted suggestions in its Integration-Mapping IDs."""
    value_rows = [list(row.values) for row in uploaded.rows]
    for index, local_id in accepted:
        value_rows[index][layout.MAPPING_ID] = local_id

    meta = ReportMeta(
        report_id=uploaded.report_id,
        generated_at=uploaded.meta.get("generated_at", ""),
        mapping_options=meta_list(uploaded.meta, "mapping_options"),
    )
    sis_users, alternates = read_side_sheets(uploaded)
    write_values(
        target, value_rows, meta, sis_users=sis_users or None, alternates=alternates
    )


@bp.post("/<upload_id>/accept")
@viewer_required
def accept(upload_id: str):
    """Send a copy with suggestions scored at least ``min_score`` accepted.

    Nothing is applied: the admin reviews the copy and uploads it again.
    """
    min_score = request.form.get("min_score", "").strip()
    upload = get_upload(upload_id)
    uploaded = validation_service.reread_upload(upload)
    try:
        accepted = accept_suggestions([row.values for row in uploaded.rows], min_score)
    except DataPrepError as error:
        return render_stored_result(
            upload_id, 400, accept_error=error.message, min_score=min_score
        )

    if not accepted:
        message = (
            f"No empty Integration-Mapping ID has a suggestion scored at least "
            f"{min_score} that no other row shares; lower the score or edit the "
            "rows by hand."
        )
        return render_stored_result(
            upload_id, accept_error=message, min_score=min_score
        )

    buffer = io.BytesIO()
    write_accepted(buffer, uploaded, accepted)
    buffer.seek(0)
    logger.info(
        "Accepted %d suggestions into a copy of upload %s", len(accepted), upload_id
    )

    return send_file(
        buffer,
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=copy_name(uploaded, f"suggestions-{len(accepted)}"),
    )
