"""Plain values for the page templates, built from the database models.

The templates read only these dicts, so a renamed model field changes one
function here instead of every template.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from markupsafe import Markup

from ..models import FAILED, FINISHED, Job, Report, Snapshot, isoformat_utc

SCENARIO_LABELS = {
    "1": "scenario 1, matched",
    "2": "scenario 2, Schoology only",
    "3": "scenario 3, SIS only",
}


def format_time(moment: datetime | None) -> Markup | str:
    """Format a stored time as a ``<time>`` element, the same instant as the API's.

    The text is ``2026-12-04 09:40:12+00:00`` and the ``datetime`` attribute
    is the API's value, ``2026-12-04T09:40:12+00:00``. A missing time gives
    empty text.
    """
    if moment is None:
        return ""

    return Markup('<time datetime="{}">{}</time>').format(
        isoformat_utc(moment), isoformat_utc(moment, sep=" ")
    )


def scenario_counts(counts: dict[str, Any] | None) -> list[tuple[str, int]]:
    """List a report's rows per scenario as (label, count), scenarios first."""
    if not counts:
        return []

    rows = [
        (SCENARIO_LABELS[key], counts[key]) for key in SCENARIO_LABELS if key in counts
    ]
    for key, value in counts.items():
        if key not in SCENARIO_LABELS and isinstance(value, int):
            rows.append((key.replace("_", " "), value))

    return rows


def report_downloads(report: Report | None) -> list[dict[str, str]]:
    """List the stored files of a report as links."""
    if report is None:
        return []

    downloads = []
    if report.xlsx_path:
        downloads.append(
            {
                "url": url_for("dataprep.download", report_id=report.id, kind="xlsx"),
                "label": "Download the report (.xlsx)",
                "short_label": "xlsx",
            }
        )
    if report.csv_path:
        downloads.append(
            {
                "url": url_for("dataprep.download", report_id=report.id, kind="csv"),
                "label": "Download the report as CSV",
                "short_label": "CSV",
            }
        )

    return downloads


def job_options(job: Job) -> list[str]:
    """Return the mapping options that a report job was started with."""
    options = (job.params or {}).get("options") or (job.params or {}).get("match")
    if isinstance(options, str):
        return [part for part in options.split(",") if part]

    return list(options or [])


def job_view(job: Job, report: Report | None) -> dict[str, Any]:
    """Describe a report job for the job and Logs pages."""
    return {
        "id": job.id,
        "status": job.status,
        "finished": job.status in (FINISHED, FAILED),
        "progress": job.progress or 0.0,
        "message": job.message,
        "error": job.error,
        "options": job_options(job),
        "created_by": job.created_by.username if job.created_by else None,
        "created_at": format_time(job.created_at),
        "report_id": report.id if report else None,
        "superseded": bool(report and report.superseded),
        "counts": scenario_counts(report.counts if report else None),
        "downloads": report_downloads(report),
    }


def snapshot_view(snapshot: Snapshot | None) -> dict[str, Any] | None:
    """Describe the latest snapshot of one side for the Data Prep page."""
    if snapshot is None:
        return None

    return {
        "id": snapshot.id,
        "created_at": format_time(snapshot.created_at),
        "created_by": snapshot.created_by.username if snapshot.created_by else None,
        "total_rows": snapshot.row_count,
        "files": [
            {"name": name, "format": file_format, "rows": rows}
            for name, file_format, rows in snapshot.files
        ],
        "warnings": list(snapshot.warnings or []),
    }
