"""Generating user mapping reports as jobs, and the Logs of those jobs.

A report compares the current Schoology users (the record that Update Users
changes) with a SIS snapshot, the newest one unless another is named. So a
report generated after an update shows the updated users as already linked.
Each report is written as .xlsx and .csv under the storage folder, and its
rows are stored as written, for validating uploads later. A new report
supersedes every older one: only the newest report can be applied.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from flask import url_for
from sqlalchemy import insert, select, update

from ..core import layout
from ..core.errors import DataPrepError, ReportNotFoundError
from ..core.frontend import step
from ..core.matching import parse_options
from ..core.report import build_report, write_outputs
from ..db import get_session
from ..jobs import JobContext, job_function, job_summary, run_now, submit
from ..models import (
    FAILED,
    SCHOOLOGY,
    SIS,
    Job,
    Report,
    ReportRowRecord,
    Snapshot,
    User,
    isoformat_utc,
)
from . import storage
from .errors import (
    InvalidRequestError,
    JobNotFoundError,
    MissingImportError,
    ReportFileMissingError,
    SnapshotNotFoundError,
)
from .sources import INSERT_CHUNK, chunked, current_schoology_export, load_export

logger = logging.getLogger(__name__)

REPORT_JOB = "report"
FORMATS = ("xlsx", "csv")

# Shares of a report job's progress bar per phase, as fractions of 1.0.
MATCH_END = 0.4
XLSX_END = 0.8
CSV_END = 0.9


def start_report(
    options,
    *,
    user: User | None = None,
    sis_snapshot_id: int | None = None,
) -> Job:
    """Queue a report job on the current Schoology users and a SIS snapshot.

    ``options`` is a list of mapping options or their comma-separated text.
    The SIS snapshot defaults to the newest one.

    :raise MatchOptionError: for an invalid list of mapping options.
    :raise MissingImportError: when no Schoology or SIS export was imported yet.
    :raise SnapshotNotFoundError: when ``sis_snapshot_id`` names no SIS snapshot.
    """
    params = report_params(options, sis_snapshot_id)

    return submit(REPORT_JOB, params, user.id if user else None)


def generate_now(options, *, user: User | None = None) -> Report:
    """Record a report job on the imported data and run it in this thread.

    The report is stored as a job's report is, so it is on the Logs page and
    can be validated and applied.

    :raise MatchOptionError: for an invalid list of mapping options.
    :raise MissingImportError: when no Schoology or SIS export was imported yet.
    :raise DataPrepError: when the job failed, with the job's error.
    """
    params = report_params(options, None)
    job = run_now(REPORT_JOB, params, user.id if user else None)
    if job.status == FAILED:
        raise DataPrepError(f"The report job {job.id} failed: {job.error}")

    return get_report(job.result["report_id"])


def report_params(options, sis_snapshot_id: int | None) -> dict:
    """Check the report's input and return the job's parameters."""
    options = parse_options(options)
    schoology = newest_snapshot(SCHOOLOGY)
    if sis_snapshot_id is None:
        sis = newest_snapshot(SIS)
    else:
        sis = get_session().get(Snapshot, sis_snapshot_id)
        if sis is None or sis.side != SIS:
            raise SnapshotNotFoundError(
                f"SIS snapshot {sis_snapshot_id} not found; list the snapshots "
                "with GET /api/sources and pick one of those ids."
            )

    return {
        "options": options,
        "schoology_snapshot_id": schoology.id,
        "sis_snapshot_id": sis.id,
    }


def newest_snapshot(side: str) -> Snapshot:
    session = get_session()
    snapshot = session.scalar(
        select(Snapshot).where(Snapshot.side == side).order_by(Snapshot.id.desc())
    )
    if snapshot is None:
        what = "a Schoology user export" if side == SCHOOLOGY else "a SIS export"
        raise MissingImportError(
            f"No {side_name(side)} data was imported yet; import {what} first."
        )

    return snapshot


def side_name(side: str) -> str:
    return "Schoology" if side == SCHOOLOGY else "SIS"


@job_function(REPORT_JOB)
def run_report_job(context: JobContext) -> dict:
    """Generate the report that a job's parameters describe."""
    params = context.params
    logger.info(
        "Report job %s: matching Schoology snapshot %d with SIS snapshot %d on "
        "%d mapping options",
        context.job_id,
        params["schoology_snapshot_id"],
        params["sis_snapshot_id"],
        len(params["options"]),
    )
    report = generate_report(
        context.params["options"],
        schoology_snapshot_id=context.params["schoology_snapshot_id"],
        sis_snapshot_id=context.params["sis_snapshot_id"],
        created_by_id=context.created_by_id,
        job_id=context.job_id,
        context=context,
    )

    return {"report_id": report.id, "counts": report.counts}


def generate_report(
    options: list[str],
    *,
    schoology_snapshot_id: int,
    sis_snapshot_id: int,
    created_by_id: int | None = None,
    job_id: str | None = None,
    context: JobContext | None = None,
) -> Report:
    """Match, write the .xlsx and .csv files, and store the report.

    Older reports are marked superseded in the same transaction.
    """
    session = get_session()

    def phase(message: str, fraction: float) -> None:
        if context is not None:
            context.progress(fraction, message, force=True)

    phase("Loading the imported users", 0.02)
    schoology_export, sis_export = load_inputs(schoology_snapshot_id, sis_snapshot_id)
    # End the read transaction, so that the progress writes on their own
    # connection do not wait for a lock this session holds.
    session.commit()

    report_id = uuid.uuid4().hex
    built = build_report(
        schoology_export,
        sis_export,
        options,
        report_id=report_id,
        progress=lambda message: phase(message, MATCH_END / 2),
    )
    phase("Writing the workbook", MATCH_END)
    folder = storage.root() / "reports" / report_id
    folder.mkdir(parents=True, exist_ok=True)
    try:
        report = store_report(
            built,
            folder,
            schoology_snapshot_id,
            sis_snapshot_id,
            created_by_id,
            job_id,
            context,
        )
    except BaseException:
        # A failed job leaves no report, so it leaves no files either.
        session.rollback()
        shutil.rmtree(folder, ignore_errors=True)
        raise

    counts = report.counts
    logger.info(
        "Stored report %s of job %s: %d rows, scenario 1 %d, scenario 2 %d, "
        "scenario 3 %d, %d already linked",
        report_id,
        job_id,
        counts["rows"],
        counts["1"],
        counts["2"],
        counts["3"],
        counts["already_linked"],
    )

    return report


def load_inputs(schoology_snapshot_id: int, sis_snapshot_id: int):
    """Load the current Schoology users and the SIS snapshot as Exports.

    The Schoology side names the files and warnings of its snapshot.

    :raise SnapshotNotFoundError: when a snapshot was deleted since the job
        was queued.
    """
    session = get_session()
    snapshots = {}
    for snapshot_id in (schoology_snapshot_id, sis_snapshot_id):
        snapshots[snapshot_id] = session.get(Snapshot, snapshot_id)
        if snapshots[snapshot_id] is None:
            raise SnapshotNotFoundError(
                f"Snapshot {snapshot_id} no longer exists; import the export "
                "again and generate a new report."
            )

    schoology_snapshot = snapshots[schoology_snapshot_id]
    schoology_export = current_schoology_export()
    schoology_export.files = [tuple(entry) for entry in schoology_snapshot.files]
    schoology_export.warnings = list(schoology_snapshot.warnings)

    return schoology_export, load_export(snapshots[sis_snapshot_id])


def store_report(
    built,
    folder: Path,
    schoology_snapshot_id: int,
    sis_snapshot_id: int,
    created_by_id: int | None,
    job_id: str | None,
    context: JobContext | None,
) -> Report:
    """Write the report's files into ``folder``, then store it and its rows."""
    session = get_session()
    report_id = built.report_id
    stem = f"user-mapping-report-{report_id[:8]}"
    xlsx = write_outputs(
        built,
        folder / f"{stem}.xlsx",
        progress=row_progress(context, "Writing the workbook", MATCH_END, XLSX_END),
    )
    csv = write_outputs(
        built,
        folder / f"{stem}.csv",
        progress=row_progress(context, "Writing the CSV", XLSX_END, CSV_END),
    )

    if context is not None:
        context.progress(CSV_END, "Storing the report", force=True)
    counts = {str(scenario): count for scenario, count in built.counts.items()}
    counts.update(
        rows=len(built.rows),
        already_linked=built.result.already_linked,
        warnings=len(built.warnings),
    )
    report = Report(
        id=report_id,
        options=list(built.meta.mapping_options),
        schoology_snapshot_id=schoology_snapshot_id,
        sis_snapshot_id=sis_snapshot_id,
        counts=counts,
        digest=xlsx.digest or "",
        xlsx_path=storage.relative(xlsx.path),
        csv_path=storage.relative(csv.path),
        job_id=job_id,
        created_by_id=created_by_id,
    )
    session.add(report)
    session.flush()
    store_rows(report_id, built.rows)
    session.execute(
        update(Report)
        .where(Report.id != report_id, Report.superseded.is_(False))
        .values(superseded=True, newer_report_id=report_id)
    )
    session.commit()

    return report


def row_progress(context: JobContext | None, message: str, start: float, end: float):
    """Map the writer's ``(rows written, total)`` calls onto a progress range."""
    if context is None:
        return None

    def report(rows: int, total: int | None) -> None:
        share = rows / total if total else 1.0
        context.progress(start + (end - start) * share, message)

    return report


def store_rows(report_id: str, rows: list[layout.ReportRow]) -> None:
    """Keep each row's values as written, keyed for matching an upload's rows."""
    session = get_session()
    records = (
        {
            "report_id": report_id,
            "position": position,
            "row_key": layout.row_key(values),
            "values": values,
        }
        for position, values in enumerate(layout.row_values(row) for row in rows)
    )
    for chunk in chunked(records, INSERT_CHUNK):
        session.execute(insert(ReportRowRecord.__table__), chunk)


def get_report(report_id: str) -> Report:
    """Find a stored report.

    :raise ReportNotFoundError: when no report has that id.
    """
    report = get_session().get(Report, report_id)
    if report is None:
        raise ReportNotFoundError(
            f"Report {report_id!r} not found; {step('list_reports')}."
        )

    return report


def report_file(report_id: str, kind: str) -> Path:
    """Return the stored .xlsx or .csv file of a report.

    :raise InvalidRequestError: for a format other than xlsx or csv.
    :raise ReportNotFoundError: when no report has that id.
    :raise ReportFileMissingError: when the report's file is missing.
    """
    if kind not in FORMATS:
        raise InvalidRequestError(f"Format {kind!r} is invalid; use xlsx or csv.")

    report = get_report(report_id)
    relative = report.xlsx_path if kind == "xlsx" else report.csv_path
    path = storage.absolute(relative) if relative else None
    if path is None or not path.is_file():
        raise ReportFileMissingError(
            f"The {kind} file of report {report_id} is missing from the storage "
            "folder; generate the report again."
        )

    return path


def get_job(job_id: str) -> Job:
    """Find a job.

    :raise JobNotFoundError: when no job has that id.
    """
    job = get_session().get(Job, job_id)
    if job is None:
        raise JobNotFoundError(f"Job {job_id!r} not found.")

    return job


def report_summary(report: Report) -> dict:
    """Describe a report as JSON, with download links for both files."""
    return {
        "id": report.id,
        "options": report.options,
        "schoology_snapshot_id": report.schoology_snapshot_id,
        "sis_snapshot_id": report.sis_snapshot_id,
        "counts": report.counts,
        "status": report.status,
        "superseded": report.superseded,
        "newer_report_id": report.newer_report_id,
        "created_by": report.created_by.username if report.created_by else None,
        "created_at": isoformat_utc(report.created_at),
        "downloads": {
            kind: url_for("api.download_report", report_id=report.id, kind=kind)
            for kind in FORMATS
        },
    }


def log_entries(limit: int = 100) -> list[dict]:
    """List the report jobs for the Logs page, newest first.

    Each entry has the job (options, who, when, status, error) and, once the
    job finished, its report with counts per scenario and download links.
    """
    session = get_session()
    jobs = session.scalars(
        select(Job)
        .where(Job.kind == REPORT_JOB)
        .order_by(Job.created_at.desc())
        .limit(limit)
    )
    entries = []
    for job in jobs:
        report = session.scalar(select(Report).where(Report.job_id == job.id))
        entry = job_summary(job)
        entry["report"] = report_summary(report) if report is not None else None
        entries.append(entry)

    return entries
