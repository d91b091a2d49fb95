"""API views: thin wrappers that parse the request and call a service.

Viewers read and validate. Admins also import exports, generate reports and
apply or undo updates. Every route is listed in ``openapi.json``.
"""

from __future__ import annotations

import json
from importlib import resources

from flask import Response, jsonify, request, send_file, url_for
from flask_login import current_user

from ..auth import admin_required, current_actor, viewer_required
from ..jobs import job_summary
from ..services import exports, reports, sources, updates, validation
from ..services.errors import InvalidRequestError
from ..services.uploads import UploadedFile
from . import bp


def uploaded_files(field: str = "file") -> list[UploadedFile]:
    """Read the multipart files of a field.

    :raise InvalidRequestError: when the request carries no file in that field.
    """
    files = [
        UploadedFile(storage.filename or "", storage.read())
        for storage in request.files.getlist(field)
        if storage.filename
    ]
    if not files:
        raise InvalidRequestError(
            f"The request has no file in the multipart field {field!r}; send "
            f"the export as {field}=@FILE."
        )

    return files


def one_uploaded_file(field: str = "file") -> UploadedFile:
    """Read the one multipart file of a field.

    :raise InvalidRequestError: when the field has no file or more than one.
    """
    files = uploaded_files(field)
    if len(files) > 1:
        raise InvalidRequestError(
            f"The request has {len(files)} files in the field {field!r}; send one."
        )

    return files[0]


def json_body() -> dict:
    """Return the request's JSON object, or an empty one for a form or no body."""
    if not request.is_json:
        return request.form.to_dict()

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidRequestError("The request body is not a JSON object; send {...}.")

    return body


def optional_int(value, name: str) -> int | None:
    if value in (None, ""):
        return None

    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidRequestError(f"{name} {value!r} is not a whole number.") from None


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI 3.1 description of this API."""
    text = resources.files("server.api").joinpath("openapi.json").read_text("utf-8")

    return jsonify(json.loads(text))


@bp.get("/me")
@viewer_required
def me():
    """Describe the signed-in account."""
    return jsonify(username=current_user.username, role=current_user.role)


@bp.get("/sources")
@viewer_required
def list_sources():
    """List the imported snapshots, newest first."""
    side = request.args.get("side") or None
    snapshots = sources.list_snapshots(side)

    return jsonify(snapshots=[sources.snapshot_summary(s) for s in snapshots])


@bp.post("/sources/schoology")
@admin_required
def import_schoology():
    """Import a Schoology user export; it becomes the current Schoology users."""
    upload = one_uploaded_file()
    snapshot = sources.import_schoology(upload, user=current_actor())

    return jsonify(sources.snapshot_summary(snapshot)), 201


@bp.post("/sources/sis")
@admin_required
def import_sis():
    """Import one or more SIS export files as one SIS snapshot."""
    form = request.form
    snapshot = sources.import_sis(
        uploaded_files(),
        sis_format=form.get("sis_format") or None,
        column_map=sources.parse_column_map(form.get("column_map")),
        key_column=form.get("key_column") or None,
        user=current_actor(),
    )

    return jsonify(sources.snapshot_summary(snapshot)), 201


@bp.post("/reports")
@admin_required
def start_report():
    """Queue a report job; returns the job with a link to poll."""
    body = json_body()
    job = reports.start_report(
        body.get("options") or body.get("match") or "",
        user=current_actor(),
        sis_snapshot_id=optional_int(body.get("sis_snapshot_id"), "sis_snapshot_id"),
    )
    response = jsonify(job_summary(job))
    response.status_code = 202
    response.headers["Location"] = url_for("api.get_job", job_id=job.id)

    return response


@bp.get("/reports")
@viewer_required
def list_reports():
    """List the report jobs with their reports, newest first: the Logs data."""
    limit = optional_int(request.args.get("limit"), "limit") or 100

    return jsonify(jobs=reports.log_entries(limit))


@bp.get("/reports/<report_id>")
@viewer_required
def get_report(report_id: str):
    """Describe one report."""
    return jsonify(reports.report_summary(reports.get_report(report_id)))


@bp.get("/reports/<report_id>/download/<kind>")
@viewer_required
def download_report(report_id: str, kind: str):
    """Send the report's .xlsx or .csv file."""
    path = reports.report_file(report_id, kind)

    return send_file(path, as_attachment=True, download_name=path.name)


@bp.get("/jobs/<job_id>")
@viewer_required
def get_job(job_id: str):
    """Report a job's status and progress, and its report once finished."""
    job = reports.get_job(job_id)
    summary = job_summary(job)
    report_id = (job.result or {}).get("report_id")
    if report_id:
        summary["report"] = reports.report_summary(reports.get_report(report_id))

    return jsonify(summary)


@bp.post("/validate")
@viewer_required
def validate_workbook():
    """Check an edited report workbook and list the rows with findings."""
    checked = validation.validate_file(one_uploaded_file())
    include_ok = request.args.get("all") in ("1", "true")

    return jsonify(checked.result.to_json(include_ok=include_ok))


@bp.post("/updates/preview")
@viewer_required
def preview_update():
    """Validate an edited report, keep it, and list every Unique ID change."""
    preview = updates.preview_file(one_uploaded_file(), current_actor())

    return jsonify(preview.to_json()), 201


@bp.post("/updates")
@admin_required
def apply_update():
    """Apply a previewed upload; it is validated again before anything changes."""
    upload_id = json_body().get("upload_id")
    if not upload_id:
        raise InvalidRequestError(
            "upload_id is missing; preview the workbook with POST "
            "/api/updates/preview and send the upload_id it returns."
        )

    result = updates.apply_upload(str(upload_id), current_actor())

    return jsonify(result.to_json()), 201 if result.applied else 200


@bp.post("/updates/undo")
@admin_required
def undo_update():
    """Undo the newest update batch that is in effect."""
    record = updates.undo_latest(current_actor())
    batch = updates.get_batch(record.batch_id)

    return jsonify(
        message=f"Restored the Unique ID of {record.restored_count} Schoology "
        f"users (batch {batch.id}).",
        batch=updates.batch_summary(batch),
    )


@bp.get("/updates")
@viewer_required
def list_updates():
    """List the update batches, newest first."""
    batches = updates.list_batches()

    return jsonify(batches=[updates.batch_summary(b) for b in batches])


@bp.get("/updates/<int:batch_id>")
@viewer_required
def get_update(batch_id: int):
    """Describe one batch with every before and after value."""
    batch = updates.get_batch(batch_id)

    return jsonify(updates.batch_summary(batch, include_changes=True))


@bp.get("/exports/changes")
@viewer_required
def export_changes():
    """Send a batch's changes as a CSV for Schoology's user import."""
    batch_id = optional_int(request.args.get("batch_id"), "batch_id")
    name, data = exports.changes_csv(batch_id)

    return csv_response(name, data)


@bp.get("/exports/users")
@viewer_required
def export_users():
    """Send the current Schoology users with their Unique IDs as a CSV."""
    name, data = exports.users_csv()

    return csv_response(name, data)


def csv_response(name: str, data: bytes) -> Response:
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'

    return response
