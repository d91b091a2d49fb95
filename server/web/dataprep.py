"""The Data Prep page: sources, mapping options, Generate Report and its job."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ..auth import admin_required, current_actor, viewer_required
from ..core.errors import DataPrepError, MatchOptionError
from ..core.matching import MAPPING_OPTIONS
from ..core.plural import counted
from ..core.readers import SIS_FORMATS
from ..db import get_session
from ..models import FAILED, FINISHED, SCHOOLOGY, SIS, Job, Report
from ..services import reports, sources
from .forms import uploaded_files
from .presenters import job_view, snapshot_view
from .templates import list_templates

logger = logging.getLogger(__name__)

bp = Blueprint("dataprep", __name__)

FORMAT_LABELS = {
    "oneroster": "OneRoster 1.1 or 1.2 CSV (users.csv, roles.csv, orgs.csv)",
    "powerschool": "PowerSchool (students and staff exports)",
    "csv": "Other CSV with the standard column names",
}
SIS_FORMAT_CHOICES = [("", "Detect from the files")] + [
    (name, FORMAT_LABELS.get(name, name)) for name in SIS_FORMATS
]
DEFAULT_OPTIONS = ["unique-id"]


def render_index(errors: dict[str, str] | None = None, status: int = 200, **values):
    """Render the Data Prep page, with form errors next to their fields."""
    schoology = sources.latest_snapshot(SCHOOLOGY)
    sis = sources.latest_snapshot(SIS)
    latest = latest_report_job()
    options = list(MAPPING_OPTIONS)
    # The form starts with the options of the newest report, so a re-run after
    # Update Users compares the same way.
    chosen = values.pop("chosen_options", None) or (
        latest["options"] if latest else DEFAULT_OPTIONS
    )
    chosen = (list(chosen) + [""] * len(options))[: len(options)]
    side_sources = [
        {
            "side": SCHOOLOGY,
            "title": "Schoology users",
            "snapshot": snapshot_view(schoology),
            "upload_url": url_for("dataprep.import_schoology"),
            "file_label": "Schoology user export (.csv)",
            "file_hint": "The CSV that Schoology's user export writes.",
            "multiple": False,
            "formats": None,
        },
        {
            "side": SIS,
            "title": "SIS users",
            "snapshot": snapshot_view(sis),
            "upload_url": url_for("dataprep.import_sis"),
            "file_label": "SIS export files (.csv)",
            "file_hint": "Choose every file of the export at once, e.g. OneRoster "
            "users.csv with roles.csv and orgs.csv.",
            "multiple": True,
            "formats": SIS_FORMAT_CHOICES,
        },
    ]
    page = render_template(
        "dataprep/index.html",
        latest_job=latest,
        sources=side_sources,
        errors=errors or {},
        mapping_options=options,
        chosen_options=chosen,
        ready=schoology is not None and sis is not None,
        can_import=current_user.is_admin,
        selected_format=values.pop("selected_format", ""),
        template_files=list_templates(),
        **values,
    )

    return page, status


def latest_report_job() -> dict | None:
    """Describe the newest report job, running or done, for the page's top."""
    session = get_session()
    job = session.scalar(
        select(Job)
        .where(Job.kind == reports.REPORT_JOB)
        .order_by(Job.created_at.desc())
    )
    if job is None:
        return None

    report = session.scalar(select(Report).where(Report.job_id == job.id))

    return job_view(job, report)


@bp.get("/")
@viewer_required
def index():
    """Show the sources, the mapping options and the templates."""
    return render_index()


@bp.post("/sources/schoology")
@admin_required
def import_schoology():
    """Import a Schoology user export as the current Schoology users."""
    files = uploaded_files("files")
    if len(files) != 1:
        message = "Choose one Schoology user export (.csv) to import."
        return render_index({SCHOOLOGY: message}, 400)

    try:
        snapshot = sources.import_schoology(files[0], user=current_actor())
    except DataPrepError as error:
        get_session().rollback()
        return render_index({SCHOOLOGY: error.message}, error.status_code)

    flash(
        f"Imported {counted(snapshot.row_count, 'Schoology user')} from "
        f"{files[0].name}.",
        "success",
    )

    return redirect(url_for("dataprep.index"))


@bp.post("/sources/sis")
@admin_required
def import_sis():
    """Import one or more SIS export files as a new SIS snapshot."""
    files = uploaded_files("files")
    sis_format = request.form.get("sis_format", "") or None
    if sis_format is not None and sis_format not in SIS_FORMATS:
        message = f"SIS format {sis_format!r} is invalid; pick one from the list."
        return render_index({SIS: message}, 400)

    if not files:
        message = "Choose the SIS export files (.csv) to import."
        return render_index({SIS: message}, 400, selected_format=sis_format or "")

    try:
        snapshot = sources.import_sis(
            files, sis_format=sis_format, user=current_actor()
        )
    except DataPrepError as error:
        get_session().rollback()
        return render_index(
            {SIS: error.message}, error.status_code, selected_format=sis_format or ""
        )

    flash(
        f"Imported {counted(snapshot.row_count, 'SIS user')} from "
        f"{counted(len(files), 'file')}.",
        "success",
    )

    return redirect(url_for("dataprep.index"))


@bp.post("/generate")
@admin_required
def generate():
    """Start a report job with the chosen mapping options, in order."""
    chosen = [value for value in request.form.getlist("match") if value]
    try:
        job = reports.start_report(chosen, user=current_actor())
    except MatchOptionError as error:
        get_session().rollback()
        return render_index({"match": error.message}, 400, chosen_options=chosen)
    except DataPrepError as error:
        get_session().rollback()
        errors = {"generate": error.message}
        return render_index(errors, error.status_code, chosen_options=chosen)

    logger.info("Started report job %s with %d mapping options", job.id, len(chosen))

    return redirect(url_for("dataprep.job", job_id=job.id))


def job_and_report(job_id: str) -> dict:
    """Describe a job and the report it produced, if any."""
    job = reports.get_job(job_id)
    report = None
    if job.status == FINISHED:
        report = get_session().scalar(select(Report).where(Report.job_id == job.id))

    return job_view(job, report)


@bp.get("/jobs/<job_id>")
@viewer_required
def job(job_id: str):
    """Show a report job's progress, then its counts and downloads.

    :raise 404: when no job has that id.
    """
    return render_template("dataprep/job.html", job=job_and_report(job_id))


@bp.get("/jobs/<job_id>/status")
@viewer_required
def job_status(job_id: str):
    """Return a job's status and progress as JSON for the page's polling script.

    :raise 404: when no job has that id.
    """
    job = reports.get_job(job_id)

    return jsonify(
        id=job.id,
        status=job.status,
        progress=job.progress or 0.0,
        message=job.message,
        finished=job.status in (FINISHED, FAILED),
    )


@bp.get("/reports/<report_id>/report.<kind>")
@viewer_required
def download(report_id: str, kind: str):
    """Send a stored report as .xlsx or .csv.

    :raise 404: when the report or its file is missing.
    """
    path = reports.report_file(report_id, kind)
    logger.info("Download of report %s as %s", report_id, kind)

    return send_file(path, as_attachment=True, download_name=path.name)
