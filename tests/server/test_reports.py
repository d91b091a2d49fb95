"""Report jobs: stored files, supersession, and a failure that leaves nothing."""

import pytest
from sqlalchemy import func, select, text

from server import jobs
from server.db import get_database, get_session
from server.models import FAILED, FINISHED, Report, ReportRowRecord
from server.services import reports, storage
from server.services.errors import SnapshotNotFoundError
from server.services.reports import REPORT_JOB

pytestmark = pytest.mark.database


def install_report_trigger(app) -> None:
    """Make the database reject every new report row."""
    engine = get_database(app).engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER fail_report BEFORE INSERT ON reports "
                    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION fail_report() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER fail_report BEFORE INSERT ON reports "
                    "FOR EACH ROW EXECUTE FUNCTION fail_report()"
                )
            )


def test_report_rows_stored_as_written(app, report):
    with app.app_context():
        session = get_session()
        rows = session.scalar(
            select(func.count())
            .select_from(ReportRowRecord)
            .where(ReportRowRecord.report_id == report["id"])
        )
        stored = session.get(Report, report["id"])
        xlsx = reports.report_file(report["id"], "xlsx")

        assert rows == report["counts"]["rows"]
        assert len(stored.digest) == 64
        assert xlsx.suffix == ".xlsx"
        assert xlsx.is_relative_to(storage.root())


def test_failed_report_leaves_no_files(app, imported):
    install_report_trigger(app)
    with app.app_context():
        params = reports.report_params("email", None)
        job = jobs.run_now(REPORT_JOB, params, None)
        folders = list((storage.root() / "reports").iterdir())
        stored = get_session().scalar(select(func.count()).select_from(Report))

        assert job.status == FAILED
        assert "injected" not in job.error
        assert folders == []
        assert stored == 0


def test_report_params_reject_other_side(app, imported):
    with app.app_context(), pytest.raises(SnapshotNotFoundError, match="SIS"):
        reports.report_params("email", 1)


def test_report_job_progress_steps(app, imported, monkeypatch):
    calls = []
    original = jobs.JobContext.progress

    def record(self, fraction, message="", force=False):
        calls.append((fraction, message, force))
        original(self, fraction, message, force)

    monkeypatch.setattr(jobs.JobContext, "progress", record)
    with app.app_context():
        params = reports.report_params("email,name", None)
        job = jobs.run_now(REPORT_JOB, params, None)
    phases = [(fraction, message) for fraction, message, force in calls if force]
    rows = [(fraction, message) for fraction, message, force in calls if not force]
    fractions = [fraction for fraction, _message, _force in calls]

    assert job.status == FINISHED, job.error
    assert phases == [
        (0.02, "Loading the imported users"),
        (0.2, "Matching on email, name"),
        (0.2, "Matched: scenario 1 38, scenario 2 8, scenario 3 9"),
        (0.4, "Writing the workbook"),
        (0.9, "Storing the report"),
    ]
    assert rows[-2] == (0.8, "Writing the workbook")
    assert rows[-1] == (0.9, "Writing the CSV")
    assert {message for _fraction, message in rows} == {
        "Writing the workbook",
        "Writing the CSV",
    }
    assert fractions == sorted(fractions)
    assert job.progress == 1.0
    assert job.message == jobs.DONE_MESSAGE
