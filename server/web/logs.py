"""The Logs page: every job with its options, owner, counts and downloads."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from ..auth import viewer_required
from ..db import get_session
from ..models import Job, Report
from .presenters import job_view

bp = Blueprint("logs", __name__, url_prefix="/logs")

# The page lists the newest jobs only; older ones stay in the database and
# the API.
MAX_JOBS = 500


@bp.get("/")
@viewer_required
def index():
    """List the jobs, newest first, each with the report it produced."""
    session = get_session()
    jobs = session.scalars(
        select(Job).order_by(Job.created_at.desc()).limit(MAX_JOBS)
    ).all()
    job_ids = [job.id for job in jobs]
    reports = {
        report.job_id: report
        for report in session.scalars(select(Report).where(Report.job_id.in_(job_ids)))
    }
    views = [job_view(job, reports.get(job.id)) for job in jobs]

    return render_template("logs/index.html", jobs=views)
