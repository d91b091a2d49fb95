"""Jobs: the thread pool backend, the RQ backend on Redis, failures."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from sqlalchemy import select

from server import close_app, create_app, jobs
from server.core.errors import ExportError
from server.db import get_session
from server.models import FAILED, FINISHED, Job, Report
from server.services import reports
from server.services.reports import REPORT_JOB

from .conftest import (
    dataprep_environment,
    generate_report,
    import_examples,
    make_account,
)

pytestmark = pytest.mark.database

REDIS_URL = "redis://127.0.0.1:6379/0"


@jobs.job_function("test-input-error")
def fail_with_input_error(context):
    context.progress(0.5, "Halfway", force=True)
    raise ExportError("users.csv line 7: the Role 'Wizard' is unknown.")


@jobs.job_function("test-crash")
def crash(context):
    raise RuntimeError("secret internal detail")


@jobs.job_function("test-progress")
def report_progress(context):
    context.progress(0.25, "A quarter", force=True)
    return {"seen": context.params["value"]}


def run_job(app, kind, params=None):
    with app.app_context():
        job = jobs.submit(kind, params or {}, None)
        jobs.wait(job.id, timeout=30)
        get_session().expire_all()
        return get_session().get(Job, job.id)


def test_thread_job_finishes(app):
    job = run_job(app, "test-progress", {"value": 7})

    assert job.status == FINISHED
    assert job.result == {"seen": 7}
    assert job.progress == 1.0
    assert job.message == jobs.DONE_MESSAGE
    assert job.started_at is not None
    assert job.finished_at is not None


def test_input_error_fails_job_with_message(app):
    job = run_job(app, "test-input-error")

    assert job.status == FAILED
    assert job.error == "users.csv line 7: the Role 'Wizard' is unknown."
    assert job.progress == 0.5


def test_crash_fails_job_generically(app):
    job = run_job(app, "test-crash")

    assert job.status == FAILED
    assert "secret" not in job.error
    assert job.error == jobs.FAILED_MESSAGE


def test_unknown_kind_rejected(app):
    with app.app_context(), pytest.raises(ValueError, match="'no-such-kind'"):
        jobs.submit("no-such-kind", {}, None)


# The rows per scenario of the example district's report with the mapping
# options email and name, whichever backend runs the job.
EXAMPLE_COUNTS = {
    "1": 38,
    "2": 8,
    "3": 9,
    "rows": 55,
    "already_linked": 1,
    "warnings": 2,
}


@pytest.fixture
def redis_connection():
    """Connect to the local Redis, or skip the test when it is not reachable."""
    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as error:
        connection.close()
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}); start it.")

    yield connection

    connection.close()


@pytest.fixture
def rq_app(tmp_path, database_url, redis_connection):
    """Create an app that queues jobs on Redis, on a queue of its own."""
    queue_name = "dataprep-test-" + uuid.uuid4().hex[:8]
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "DATAPREP_JOBS": "rq",
            "DATAPREP_RQ_QUEUE": queue_name,
            "REDIS_URL": REDIS_URL,
            "DATAPREP_STORAGE_DIR": str(tmp_path / "storage"),
            "DATAPREP_PASSWORD_METHOD": "pbkdf2:sha256:1000",
        },
        instance_path=str(tmp_path / "instance"),
    )
    yield app, Queue(queue_name, connection=redis_connection)

    Queue(queue_name, connection=redis_connection).delete(delete_jobs=True)
    close_app(app)
    for worker_app in jobs._worker_apps.values():
        close_app(worker_app)
    jobs._worker_apps.clear()


def queue_report(app, examples_dir) -> tuple:
    """Import the examples through the API and queue a report job on Redis."""
    headers = {"Authorization": "Bearer " + make_account(app, "ada.admin", "admin")}
    client = app.test_client()
    import_examples(client, headers, examples_dir)
    queued = client.post(
        "/api/reports", json={"options": "email,name"}, headers=headers
    )
    assert queued.status_code == 202, queued.json

    return client, headers, queued.json["id"]


def thread_counts(app) -> dict:
    """Run the same report in this thread, as the thread backend would."""
    with app.app_context():
        params = reports.report_params("email,name", None)
        job = jobs.run_now(REPORT_JOB, params, None)
        assert job.status == FINISHED, job.error

        return get_session().get(Report, job.result["report_id"]).counts


def test_rq_worker_runs_report_job(rq_app, examples_dir):
    app, queue = rq_app
    client, headers, job_id = queue_report(app, examples_dir)
    before = client.get(f"/api/jobs/{job_id}", headers=headers).json

    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=True)
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json

    assert before["status"] == "queued"
    assert job["status"] == "finished", job["error"]
    assert job["message"] == jobs.DONE_MESSAGE
    assert job["report"]["counts"] == EXAMPLE_COUNTS
    assert thread_counts(app) == EXAMPLE_COUNTS
    with app.app_context():
        assert get_session().get(Report, job["result"]["report_id"]) is not None


def test_rq_worker_process_runs_report_job(rq_app, examples_dir, tmp_path):
    app, queue = rq_app
    client, headers, job_id = queue_report(app, examples_dir)
    worker = subprocess.run(
        [
            str(Path(sys.executable).with_name("rq")),
            "worker",
            queue.name,
            "--url",
            REDIS_URL,
            "--burst",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=dataprep_environment(tmp_path / "worker-instance"),
        timeout=180,
    )
    job = client.get(f"/api/jobs/{job_id}", headers=headers).json

    assert worker.returncode == 0, worker.stderr
    assert job["status"] == "finished", job["error"]
    assert job["progress"] == 1.0
    assert job["message"] == jobs.DONE_MESSAGE
    assert job["report"]["counts"] == EXAMPLE_COUNTS
    assert job["report"]["downloads"]["xlsx"].endswith("/download/xlsx")


def test_rq_unreachable_is_transient(tmp_path, database_url):
    app = create_app(
        {
            "SECRET_KEY": "x",
            "DATABASE_URL": database_url,
            "DATAPREP_JOBS": "rq",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "DATAPREP_STORAGE_DIR": str(tmp_path / "storage"),
        },
        instance_path=str(tmp_path / "instance"),
    )
    try:
        with app.app_context():
            with pytest.raises(jobs.TransientError, match="could not be reached"):
                jobs.submit("test-progress", {"value": 1}, None)
            recorded = get_session().scalars(select(Job)).one()

            assert recorded.status == FAILED
            assert "could not be reached" in recorded.error
    finally:
        close_app(app)


def test_failed_report_job_in_logs(app, client, admin_headers, examples_dir):
    import_examples(client, admin_headers, examples_dir)
    generate_report(client, admin_headers)
    params = {"options": ["email"], "schoology_snapshot_id": 1, "sis_snapshot_id": 99}
    with app.app_context():
        failed = jobs.run_now(REPORT_JOB, params, None)
    entries = client.get("/api/reports", headers=admin_headers).json["jobs"]
    by_id = {entry["id"]: entry for entry in entries}

    assert len(entries) == 2
    assert by_id[failed.id]["status"] == "failed"
    assert by_id[failed.id]["error"].startswith("Snapshot 99 no longer exists")
    assert by_id[failed.id]["report"] is None


def test_orphaned_thread_job_failed_on_start(app, tmp_path, database_url):
    with app.app_context():
        session = get_session()
        stopped = jobs.record_job(
            "test-progress", {}, None, jobs.thread_runner(2**22 + 7)
        )
        mine = jobs.record_job(
            "test-progress", {}, None, jobs.thread_runner(os.getpid())
        )
        queued_on_rq = jobs.record_job("test-progress", {}, None, "rq")
        ids = (stopped.id, mine.id, queued_on_rq.id)
        session.commit()

    restarted = create_app(
        {
            "SECRET_KEY": "x",
            "DATABASE_URL": database_url,
            "DATAPREP_STORAGE_DIR": str(tmp_path / "storage"),
        },
        instance_path=str(tmp_path / "instance"),
    )
    try:
        with restarted.app_context():
            statuses = {
                job.id: (job.status, job.error)
                for job in get_session().scalars(select(Job).where(Job.id.in_(ids)))
            }
    finally:
        close_app(restarted)

    assert statuses[stopped.id] == (FAILED, jobs.ORPHANED_MESSAGE)
    assert statuses[mine.id][0] == "queued"
    assert statuses[queued_on_rq.id][0] == "queued"
