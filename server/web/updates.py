"""Update Users: preview, confirm, history, undo and the CSV exports (admins only)."""

from __future__ import annotations

import io
import logging

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import select

from ..auth import admin_required, current_actor
from ..core.errors import ConflictError, DataPrepError
from ..core.plural import counted
from ..core.update import BLANK, CHANGE, SKIPPED, UNCHANGED
from ..db import get_session
from ..models import SchoologyAccount
from ..services import exports, updates
from ..services import validation as validation_service
from .forms import uploaded_file
from .presenters import format_time

logger = logging.getLogger(__name__)

bp = Blueprint("updates", __name__, url_prefix="/updates")

OUTCOME_LABELS = {
    CHANGE: "unique IDs change",
    UNCHANGED: "already linked, unchanged",
    BLANK: "rows without an Integration-Mapping ID",
    SKIPPED: "users no longer in Schoology, skipped",
}


def batch_view(batch) -> dict:
    """Describe an update batch for the history table."""
    return {
        "id": batch.id,
        "created_at": format_time(batch.created_at),
        "created_by": batch.created_by.username if batch.created_by else None,
        "report_id": batch.report_id,
        "changes": batch.change_count,
        "undone": batch.undo is not None,
        "undone_at": format_time(batch.undo.created_at) if batch.undo else "",
        "export_url": (
            None
            if batch.undo is not None
            else url_for("updates.changes_export", batch_id=batch.id)
        ),
    }


def render_index(status: int = 200, **values):
    """Render the Update Users page with the history and the exports."""
    batches = updates.list_batches()
    latest = updates.latest_batch()
    export_links = [
        {
            "url": url_for("updates.users_export"),
            "label": "All Schoology users with their current unique IDs (.csv)",
            "hint": "The full updated user list.",
        }
    ]
    if latest is not None:
        export_links.insert(
            0,
            {
                "url": url_for("updates.changes_export", batch_id=latest.id),
                "label": f"Schoology import CSV of batch {latest.id}",
                "hint": "Import it in Schoology under Import > Users to set the "
                "new unique IDs there.",
            },
        )
    page = render_template(
        "updates/index.html",
        batches=[batch_view(batch) for batch in batches],
        undoable=batch_view(latest) if latest else None,
        exports=export_links,
        **values,
    )

    return page, status


def plan_view(preview: updates.Preview) -> dict:
    """Describe a preview's plan: counts and every change with the user's name."""
    plan = preview.plan
    ids = [change.schoology_id for change in plan.changes]
    names = {}
    if ids:
        rows = get_session().execute(
            select(
                SchoologyAccount.schoology_id,
                SchoologyAccount.first_name,
                SchoologyAccount.last_name,
            ).where(SchoologyAccount.schoology_id.in_(ids))
        )
        names = {sid: f"{first} {last}".strip() for sid, first, last in rows}

    totals = plan.totals

    return {
        "upload_id": preview.upload.id,
        "report_id": plan.report_id,
        "digest": preview.upload.sha256,
        "warnings": preview.validation.result.totals["warning"],
        "counts": [(OUTCOME_LABELS[key], totals[key]) for key in OUTCOME_LABELS],
        "changes": [
            {
                "schoology_id": change.schoology_id,
                "name": names.get(change.schoology_id, ""),
                "before": change.before,
                "after": change.after,
            }
            for change in plan.changes
        ],
    }


def render_preview(preview: updates.Preview, status: int = 200, **values):
    """Render the preview, or send the admin back when the upload has errors."""
    if preview.plan is None:
        errors = preview.validation.result.totals["error"]
        flash(
            f"{preview.upload.file_name} has {counted(errors, 'row')} with errors, "
            "so no update can be previewed. Fix them and upload the workbook again.",
            "error",
        )
        return redirect(url_for("validate.result", upload_id=preview.upload.id))

    page = render_template("updates/preview.html", plan=plan_view(preview), **values)

    return page, status


@bp.get("/")
@admin_required
def index():
    """Show the preview form, the history of batches and the exports."""
    return render_index()


@bp.post("/")
@admin_required
def upload():
    """Validate an uploaded workbook, keep it and preview its update."""
    file = uploaded_file("workbook")
    if file is None:
        return render_index(400, upload_error="Choose the validated report (.xlsx).")

    try:
        preview = updates.preview_file(file, user=current_actor())
    except DataPrepError as error:
        get_session().rollback()
        return render_index(error.status_code, upload_error=error.message)

    return render_preview(preview)


def stored_preview(upload_id: str) -> updates.Preview:
    """Validate a stored upload again and plan its update."""
    upload = updates.get_upload(upload_id)
    uploaded = validation_service.reread_upload(upload)
    checked = validation_service.validate_uploaded(uploaded)

    return updates.make_preview(upload, checked)


@bp.get("/preview/<upload_id>")
@admin_required
def preview(upload_id: str):
    """Preview the update of an upload that was validated before."""
    try:
        result = stored_preview(upload_id)
    except DataPrepError as error:
        get_session().rollback()
        return render_index(error.status_code, upload_error=error.message)

    return render_preview(result)


@bp.post("/preview/<upload_id>/apply")
@admin_required
def apply(upload_id: str):
    """Apply a previewed upload after the admin confirmed it."""
    upload = updates.get_upload(upload_id)
    if request.form.get("plan_digest", "") != upload.sha256:
        flash(
            "The confirmation does not belong to this upload; preview it again.",
            "error",
        )
        return redirect(url_for("updates.preview", upload_id=upload_id))

    try:
        outcome = updates.apply_upload(upload_id, user=current_actor())
    except ConflictError as error:
        get_session().rollback()
        logger.info("Apply of upload %s was rejected", upload_id)
        return render_index(409, upload_error=error.message)

    flash(outcome.message, "success" if outcome.applied else "warning")

    return redirect(url_for("updates.index"))


@bp.post("/undo")
@admin_required
def undo():
    """Undo the newest batch that is in effect."""
    expected = request.form.get("batch_id", "")
    latest = updates.latest_batch()
    if latest is None or str(latest.id) != expected:
        message = (
            "The batch shown is no longer the newest one in effect; read the "
            "history again before you undo."
        )
        return render_index(409, undo_error=message)

    try:
        record = updates.undo_latest(user=current_actor())
    except ConflictError as error:
        get_session().rollback()
        return render_index(409, undo_error=error.message)

    flash(
        f"Undid batch {record.batch_id}: restored the unique ID of "
        f"{counted(record.restored_count, 'Schoology user')}.",
        "success",
    )

    return redirect(url_for("updates.index"))


@bp.get("/batches/<int:batch_id>")
@admin_required
def batch(batch_id: int):
    """Show every change of one batch, before and after.

    :raise 404: when no batch has that id.
    """
    record = updates.get_batch(batch_id)

    return render_template(
        "updates/batch.html", batch=batch_view(record), changes=record.changes
    )


def send_csv(name: str, data: bytes):
    return send_file(
        io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name=name
    )


@bp.get("/batches/<int:batch_id>/changes.csv")
@admin_required
def changes_export(batch_id: int):
    """Send the Schoology import CSV of one batch.

    :raise 404: when no batch has that id.
    :raise 409: when the batch was undone.
    """
    name, data = exports.changes_csv(batch_id)

    return send_csv(name, data)


@bp.get("/users.csv")
@admin_required
def users_export():
    """Send the full list of current Schoology users."""
    name, data = exports.users_csv()

    return send_csv(name, data)
