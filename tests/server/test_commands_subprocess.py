"""The ``dataprep`` command run as a real process against a real database.

Each command starts the installed script in a subprocess, so argument
parsing, the app it builds from ``--database`` and its exit status are those
of a command typed in a shell.
"""

import csv
import errno
import io
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from server.models import (
    Report,
    SchoologyAccount,
    Snapshot,
    UndoRecord,
    UpdateBatch,
    UpdateChange,
)

from .conftest import (
    EXAMPLE_ONEROSTER,
    EXAMPLE_SCHOOLOGY,
    STUDENT_ROW,
    TEACHER_ROW,
    dataprep_command,
    dataprep_environment,
    edit_report,
    run_dataprep,
)

pytestmark = pytest.mark.database

# 38 scenario 1 rows, less the one linked already, plus the two rows mapped by
# hand.
CHANGED = 39


class Database:
    """Read the tables that the commands wrote, through an engine of the test."""

    def __init__(self, url: str):
        self.engine = create_engine(url)

    def count(self, model) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))

    def unique_id(self, schoology_id: str) -> str:
        query = select(SchoologyAccount.unique_id).where(
            SchoologyAccount.schoology_id == schoology_id
        )
        with self.engine.connect() as connection:
            return connection.scalar(query)


@pytest.fixture
def database(database_url):
    checked = Database(database_url)
    yield checked

    checked.engine.dispose()


@pytest.fixture
def dataprep(tmp_path, database_url):
    """Return a function that runs ``dataprep ARGS --database URL``."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return run_dataprep([*args, "--database", database_url], tmp_path / "inst")

    return run


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def read_csv(path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")

    return list(csv.DictReader(io.StringIO(text)))


def test_cli_workflow_on_database(
    dataprep, database, database_url, examples_dir, tmp_path
):
    init = dataprep("init-db")
    schoology = dataprep("import", "schoology", str(examples_dir / EXAMPLE_SCHOOLOGY))
    sis = dataprep("import", "sis", str(examples_dir / EXAMPLE_ONEROSTER))
    report_path = tmp_path / "report.xlsx"
    report = dataprep("report", "--match", "email,name", "--output", str(report_path))

    assert init.returncode == 0, init.stderr
    assert init.stdout == f"The database is up to date: {shown_url(database_url)}\n"
    assert schoology.returncode == 0, schoology.stderr
    assert schoology.stdout.startswith(
        "Imported schoology snapshot 1: 46 users from 1 file.\n"
    )
    assert sis.returncode == 0, sis.stderr
    assert sis.stdout.startswith("Imported sis snapshot 2: 47 users from 2 files.\n")
    assert database.count(SchoologyAccount) == 46
    assert database.count(Snapshot) == 2
    assert report.returncode == 0, report.stderr
    assert "scenario 1 38, scenario 2 8, scenario 3 9, already linked 1." in (
        report.stdout
    )
    assert report.stdout.endswith(f" written to {report_path}\n")
    assert database.count(Report) == 1

    bad_path = tmp_path / "bad.xlsx"
    bad_path.write_bytes(
        edit_report(report_path.read_bytes(), {STUDENT_ROW[0]: TEACHER_ROW[1]})
    )
    bad = dataprep("validate", str(bad_path))
    good_path = tmp_path / "good.xlsx"
    good_path.write_bytes(
        edit_report(report_path.read_bytes(), dict([STUDENT_ROW, TEACHER_ROW]))
    )
    good = dataprep("validate", str(good_path))

    assert bad.returncode == 1, bad.stderr
    assert "bad.xlsx: 55 rows, 1 with errors, 0 with warnings" in bad.stdout
    assert "Error:" in bad.stdout
    assert good.returncode == 0, good.stderr
    assert "good.xlsx: 55 rows, 0 with errors, 0 with warnings" in good.stdout

    applied = dataprep("apply", str(good_path), "--yes")

    assert applied.returncode == 0, applied.stderr
    assert f"Schoology user {STUDENT_ROW[0]}: " in applied.stdout
    assert applied.stdout.endswith(
        f"Updated the Unique ID of {CHANGED} Schoology users (batch 1).\n"
    )
    assert database.count(UpdateBatch) == 1
    assert database.count(UpdateChange) == CHANGED
    assert database.unique_id(STUDENT_ROW[0]) == STUDENT_ROW[1]
    assert database.unique_id(TEACHER_ROW[0]) == TEACHER_ROW[1]

    changes_path = tmp_path / "changes.csv"
    changes = dataprep("export", "changes", "-o", str(changes_path))
    rows = read_csv(changes_path)
    by_id = {row["Schoology User ID"]: row["User Unique ID"] for row in rows}

    assert changes.returncode == 0, changes.stderr
    assert changes.stdout == f"Wrote {changes_path}\n"
    assert len(rows) == CHANGED
    assert by_id[STUDENT_ROW[0]] == STUDENT_ROW[1]

    undone = dataprep("undo", "--yes")
    again = dataprep("undo", "--yes")
    users_path = tmp_path / "users.csv"
    users = dataprep("export", "users", "-o", str(users_path))
    user_ids = {
        row["Schoology User ID"]: row["User Unique ID"] for row in read_csv(users_path)
    }

    assert undone.returncode == 0, undone.stderr
    assert undone.stdout == (
        f"Restored the Unique ID of {CHANGED} Schoology users (batch 1).\n"
    )
    assert database.count(UndoRecord) == 1
    assert database.unique_id(STUDENT_ROW[0]) == "100473"
    assert again.returncode == 2
    assert again.stderr == "Error: There is no applied update to undo.\n"
    assert users.returncode == 0, users.stderr
    assert len(user_ids) == 46
    assert user_ids[STUDENT_ROW[0]] == "100473"


def test_cli_validate_csv_gives_cli_words(dataprep, tmp_path):
    dataprep("init-db")
    path = tmp_path / "edited.csv"
    path.write_text("Schoology User ID\n1\n", encoding="utf-8")
    result = dataprep("validate", str(path))

    assert result.returncode == 2
    assert result.stderr == (
        "Error: edited.csv has the suffix '.csv'; give a .xlsx file.\n"
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    """GET ``url`` and return the status and the body, for error statuses too."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 30.0):
    """Poll ``url`` until the server responds, and return the status and body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"dataprep serve exited with {process.returncode}")
        try:
            return get(url)
        except urllib.error.URLError:
            time.sleep(0.2)

    raise AssertionError(f"{url} did not respond within {timeout} seconds")


def test_serve_responds_then_stops(database_url, tmp_path):
    init = run_dataprep(["init-db", "--database", database_url], tmp_path / "inst")
    assert init.returncode == 0, init.stderr
    port = free_port()
    process = subprocess.Popen(
        [
            dataprep_command(),
            "serve",
            "--database",
            database_url,
            "--port",
            str(port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dataprep_environment(tmp_path / "inst"),
    )
    try:
        status, body = wait_for_http(f"http://127.0.0.1:{port}/api/me", process)
        openapi_status, _document = get(f"http://127.0.0.1:{port}/api/openapi.json")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()

    # werkzeug colours the request line of an error response.
    log = re.sub(r"\x1b\[[0-9;]*m", "", stderr)

    assert status == 401
    assert json.loads(body)["error"] == "unauthorized"
    assert openapi_status == 200
    assert process.returncode == 0, stderr
    assert f"Running on http://127.0.0.1:{port}" in stdout + stderr
    assert "INFO server: Created the app with the thread job backend" in log
    assert '"GET /api/me HTTP/1.1" 401' in log
    assert '"GET /api/openapi.json HTTP/1.1" 200' in log


def start_dataprep(
    args: list[str], database_url: str, instance, stdin=subprocess.DEVNULL
) -> subprocess.Popen:
    """Start ``dataprep ARGS --database URL`` with its output in pipes."""
    return subprocess.Popen(
        [dataprep_command(), *args, "--database", database_url],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dataprep_environment(instance),
    )


def open_writer_when_read(fifo, process, timeout: float = 60) -> int:
    """Open a FIFO for writing once the process opened it for reading.

    The process then blocks reading it until the writer closes, so a signal
    sent meanwhile reaches the command while it reads its workbook.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:
                raise
        time.sleep(0.02)

    raise AssertionError(f"dataprep did not open {fifo} within {timeout} seconds")


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate"], "Stopped; the workbook was not validated."),
        (["apply", "--yes"], "Stopped; nothing was changed."),
    ],
)
def test_stop_while_reading_workbook(
    database, database_url, tmp_path, args, message, signal_number
):
    fifo = tmp_path / "edited.xlsx"
    os.mkfifo(fifo)
    process = start_dataprep([*args, str(fifo)], database_url, tmp_path / "inst")
    writer = open_writer_when_read(fifo, process)
    try:
        process.send_signal(signal_number)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(writer)

    assert process.returncode == 128 + signal_number, stderr
    assert stderr == message + "\n"
    assert stdout == ""
    assert database.count(UpdateBatch) == 0


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_stop_at_apply_prompt(
    dataprep, database, database_url, examples_dir, tmp_path, signal_number
):
    dataprep("import", "schoology", str(examples_dir / EXAMPLE_SCHOOLOGY))
    dataprep("import", "sis", str(examples_dir / EXAMPLE_ONEROSTER))
    report_path = tmp_path / "report.xlsx"
    report = dataprep("report", "--match", "email,name", "--output", str(report_path))
    assert report.returncode == 0, report.stderr
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(edit_report(report_path.read_bytes(), dict([STUDENT_ROW])))
    before = database.unique_id(STUDENT_ROW[0])

    process = start_dataprep(
        ["apply", str(edited)], database_url, tmp_path / "inst", stdin=subprocess.PIPE
    )
    shown = ""
    prompt = "Apply these changes? [y/N]: "
    deadline = time.monotonic() + 60
    while not shown.endswith(prompt) and time.monotonic() < deadline:
        character = process.stdout.read(1)
        if not character:
            break
        shown += character
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=60)

    assert shown.endswith(prompt), shown + stdout + stderr
    assert process.returncode == 128 + signal_number, stderr
    assert stderr.splitlines()[-1] == "Stopped; nothing was changed."
    assert "Aborted!" not in stderr
    assert "Traceback" not in stderr
    assert database.count(UpdateBatch) == 0
    assert database.unique_id(STUDENT_ROW[0]) == before
