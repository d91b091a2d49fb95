"""Background jobs: a row in the jobs table and a function that does the work.

Two backends run the same job functions. ``thread`` (the default) keeps a
thread pool inside the server process and runs each job in an app context.
``rq`` queues the job on Redis for ``rq worker`` processes, which build their
own app from the settings sent with the job. A job function receives a
``JobContext`` and returns a JSON-serializable result.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .core.errors import DataPrepError, TransientError
from .db import get_database, get_session
from .models import FAILED, FINISHED, QUEUED, RUNNING, Job, isoformat_utc, utcnow

logger = logging.getLogger(__name__)

EXTENSION_KEY = "dataprep.jobs"
JOB_FUNCTIONS: dict[str, Callable[[JobContext], dict[str, Any]]] = {}
FAILED_MESSAGE = "The job failed because of an internal error; the error is logged."
# The progress message of a finished job, in place of its last step.
DONE_MESSAGE = "Done."
ORPHANED_MESSAGE = (
    "The server process stopped before the job finished; start the job again."
)

# Progress is written at most this often, so a job over 100,000 rows does not
# spend its time on UPDATE statements.
PROGRESS_INTERVAL_SECONDS = 0.25


def job_function(kind: str):
    """Register the decorated function as the one that runs jobs of ``kind``."""

    def register(function):
        JOB_FUNCTIONS[kind] = function
        return function

    return register


@dataclass
class JobContext:
    """The arguments of a running job function: its id, parameters and progress."""

    job_id: str
    params: dict[str, Any]
    created_by_id: int | None
    _last_write: float = field(default=0.0, repr=False)

    def progress(self, fraction: float, message: str = "", force: bool = False):
        """Record how far the job is, 0.0 to 1.0, in its own short transaction."""
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_INTERVAL_SECONDS:
            return

        self._last_write = now
        fraction = min(max(float(fraction), 0.0), 1.0)
        # A separate connection, so the job's own session stays uncommitted.
        with get_database().engine.begin() as connection:
            connection.execute(
                Job.__table__.update()
                .where(Job.__table__.c.id == self.job_id)
                .values(progress=fraction, message=message[:255])
            )


class ThreadBackend:
    """Runs jobs on a thread pool inside the server process.

    A job that was queued or running when its server process stopped is
    marked failed by the next app that starts on the same host.
    """

    def __init__(self, app: Flask, workers: int):
        self.app = app
        self.executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="dataprep-job"
        )
        self.futures: dict[str, Future] = {}
        self.lock = threading.Lock()

    @property
    def runner(self) -> str:
        return thread_runner(os.getpid())

    def enqueue(self, job_id: str) -> None:
        future = self.executor.submit(self._run, job_id)
        with self.lock:
            self.futures[job_id] = future

    def _run(self, job_id: str) -> None:
        with self.app.app_context():
            execute(job_id)

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until the job has run; used by tests and the command line."""
        with self.lock:
            future = self.futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class RqBackend:
    """Queues jobs on Redis for ``rq worker`` processes."""

    runner = "rq"

    def __init__(self, app: Flask):
        self.app = app
        self.queue_name = app.config["DATAPREP_RQ_QUEUE"]
        self.redis_url = app.config["REDIS_URL"]

    def queue(self):
        from redis import Redis
        from rq import Queue

        return Queue(self.queue_name, connection=Redis.from_url(self.redis_url))

    def enqueue(self, job_id: str) -> None:
        from redis.exceptions import RedisError

        try:
            self.queue().enqueue(
                run_rq_job, job_id, worker_settings(self.app), job_id=job_id
            )
        except RedisError as error:
            logger.error("Queueing job %s failed: %s", job_id, type(error).__name__)
            raise TransientError(
                f"The job queue at {self.redis_url} could not be reached; start "
                "Redis or set DATAPREP_JOBS=thread, then try again."
            ) from error

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        return None

    def close(self) -> None:
        return None


def worker_settings(app: Flask) -> dict[str, Any]:
    """Return the settings an RQ worker needs to open the same database and files."""
    return {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "DATAPREP_STORAGE_DIR": app.config["DATAPREP_STORAGE_DIR"],
        "INSTANCE_PATH": app.instance_path,
    }


_worker_apps: dict[tuple, Flask] = {}


def run_rq_job(job_id: str, settings: dict[str, Any]) -> None:
    """Run a queued job inside an RQ worker, in an app built from ``settings``."""
    from . import create_app

    key = tuple(sorted(settings.items()))
    app = _worker_apps.get(key)
    if app is None:
        config = dict(settings)
        instance_path = config.pop("INSTANCE_PATH")
        # The server that queued the job has migrated the database already.
        config.update(DATAPREP_MIGRATE=False, DATAPREP_JOBS="thread")
        app = create_app(config, instance_path=instance_path)
        _worker_apps[key] = app

    with app.app_context():
        execute(job_id)


def init_app(app: Flask) -> None:
    """Create the app's job backend from DATAPREP_JOBS."""
    name = app.config["DATAPREP_JOBS"]
    if name == "thread":
        backend = ThreadBackend(app, app.config["DATAPREP_JOB_THREADS"])
    elif name == "rq":
        backend = RqBackend(app)
    else:
        raise ValueError(f"DATAPREP_JOBS={name!r} is invalid; use thread or rq.")

    app.extensions[EXTENSION_KEY] = backend
    if name == "thread":
        with app.app_context():
            try:
                fail_orphaned_jobs()
            except SQLAlchemyError as error:
                # A database without the schema yet (DATAPREP_MIGRATE off)
                # has no jobs to check.
                get_session().rollback()
                logger.warning(
                    "Checking for jobs of stopped servers failed: %s",
                    type(error).__name__,
                )


def thread_runner(pid: int) -> str:
    return f"thread:{socket.gethostname()}:{pid}"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True

    return True


def fail_orphaned_jobs() -> int:
    """Mark failed the thread jobs of this host whose server process is gone.

    Jobs of this process are left alone, because another app in it may be
    running them. Returns how many jobs were marked.
    """
    session = get_session()
    prefix = thread_runner(0).removesuffix("0")
    jobs = session.scalars(
        select(Job).where(
            Job.status.in_((QUEUED, RUNNING)), Job.runner.startswith(prefix)
        )
    ).all()
    orphaned = []
    for job in jobs:
        pid = int(job.runner.removeprefix(prefix) or 0)
        if pid != os.getpid() and not process_alive(pid):
            orphaned.append(job)

    for job in orphaned:
        job.status = FAILED
        job.error = ORPHANED_MESSAGE
        job.finished_at = utcnow()
    session.commit()
    if orphaned:
        logger.warning(
            "Marked %d jobs of stopped server processes failed", len(orphaned)
        )

    return len(orphaned)


def backend():
    return current_app.extensions[EXTENSION_KEY]


def record_job(
    kind: str,
    params: dict[str, Any],
    created_by_id: int | None,
    runner: str | None = None,
) -> Job:
    """Add a queued job row and commit it.

    The row is committed first, so the job is visible to a status request and
    to an RQ worker before it can start.
    """
    if kind not in JOB_FUNCTIONS:
        raise ValueError(f"No job function is registered for {kind!r}.")

    session = get_session()
    job = Job(
        id=uuid.uuid4().hex,
        kind=kind,
        status=QUEUED,
        params=params,
        runner=runner,
        created_by_id=created_by_id,
    )
    session.add(job)
    session.commit()

    return job


def submit(kind: str, params: dict[str, Any], created_by_id: int | None) -> Job:
    """Record a job and hand it to the backend.

    :raise TransientError: when the RQ queue is unreachable; the job is then
        recorded as failed.
    """
    job = record_job(kind, params, created_by_id, backend().runner)
    try:
        backend().enqueue(job.id)
    except TransientError as error:
        finish(job.id, FAILED, error=error.message)
        raise

    logger.info("Queued %s job %s", kind, job.id)

    return job


def run_now(kind: str, params: dict[str, Any], created_by_id: int | None) -> Job:
    """Record a job and run it in this thread; the command line uses this."""
    job = record_job(kind, params, created_by_id, thread_runner(os.getpid()))
    execute(job.id)
    session = get_session()
    session.expire_all()

    return session.get(Job, job.id)


def wait(job_id: str, timeout: float | None = None) -> None:
    """Wait for a job of the thread backend; returns at once for RQ."""
    backend().wait(job_id, timeout)


def execute(job_id: str) -> None:
    """Run one job: mark it running, call its function, store the outcome.

    A DataPrepError fails the job with its message. Any other exception fails
    it with a generic message and is logged with its traceback.
    """
    session = get_session()
    job = session.get(Job, job_id)
    if job is None:
        logger.error("Job %s not found; it was not run", job_id)
        return

    job.status = RUNNING
    job.started_at = utcnow()
    session.commit()
    context = JobContext(job.id, dict(job.params), job.created_by_id)
    function = JOB_FUNCTIONS[job.kind]
    logger.info("Started %s job %s", job.kind, job_id)

    try:
        result = function(context)
    except DataPrepError as error:
        session.rollback()
        finish(job_id, FAILED, error=error.message)
        # The message may quote input values, so only the class is logged.
        logger.info("%s job %s failed: %s", job.kind, job_id, type(error).__name__)
        return
    except Exception:
        session.rollback()
        # NOTE: the traceback's exception message can quote an input value,
        # such as a name; only SQL parameters are hidden (server/db.py).
        logger.exception("%s job %s failed with an internal error", job.kind, job_id)
        finish(job_id, FAILED, error=FAILED_MESSAGE)
        return

    finish(job_id, FINISHED, result=result)
    logger.info("Finished %s job %s", job.kind, job_id)


def finish(job_id: str, status: str, result=None, error: str | None = None) -> None:
    session = get_session()
    job = session.get(Job, job_id)
    job.status = status
    job.result = result
    job.error = error
    job.finished_at = utcnow()
    if status == FINISHED:
        job.progress = 1.0
        job.message = DONE_MESSAGE
    session.commit()


def job_summary(job: Job) -> dict[str, Any]:
    """Describe a job as JSON for the API and the Logs page."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "params": job.params,
        "result": job.result,
        "error": job.error,
        "created_by": job.created_by.username if job.created_by else None,
        "created_at": isoformat_utc(job.created_at),
        "started_at": isoformat_utc(job.started_at),
        "finished_at": isoformat_utc(job.finished_at),
    }
