"""Fixtures for the service tests: accounts, tokens and the example district."""

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from server.auth import create_token, create_user
from server.core.layout import HEADER_ROWS, MAPPING_SHEET
from server.db import get_session


def dataprep_command() -> str:
    """Return the path of the installed ``dataprep`` script of this environment."""
    script = Path(sys.executable).with_name("dataprep")
    if script.is_file():
        return str(script)

    found = shutil.which("dataprep")
    assert found, "the dataprep script is not installed; run pip install -e ."

    return found


def dataprep_environment(instance: Path) -> dict[str, str]:
    """Build the environment of a ``dataprep`` subprocess with its own instance.

    DATABASE_URL is left out, so each command names its database with
    ``--database``.
    """
    env = {
        **os.environ,
        "DATAPREP_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret",
        "DATAPREP_PASSWORD_METHOD": "pbkdf2:sha256:1000",
    }
    env.pop("DATABASE_URL", None)

    return env


def run_dataprep(
    args: list[str], instance: Path, stdin=subprocess.DEVNULL, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``dataprep ARGS`` in a subprocess with its own instance folder."""
    return subprocess.run(
        [dataprep_command(), *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        env=dataprep_environment(instance),
        timeout=timeout,
    )


def make_account(app, username: str, role: str) -> str:
    """Create an account with a token and return the token."""
    with app.app_context():
        session = get_session()
        user = create_user(session, username, "correct horse battery", role)
        token = create_token(session, user)
        session.commit()

    return token


@pytest.fixture
def admin_token(app) -> str:
    return make_account(app, "alma.admin", "admin")


@pytest.fixture
def viewer_token(app) -> str:
    return make_account(app, "victor.viewer", "viewer")


@pytest.fixture
def admin_headers(admin_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture
def viewer_headers(viewer_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {viewer_token}"}


EXAMPLE_SCHOOLOGY = "schoology/users.csv"
EXAMPLE_ONEROSTER = "oneroster"

# Scenario 2 rows of the example district and a scenario 3 person of the same
# role for each, so a test can map them by hand.
STUDENT_ROW = ("104857323", "1_S88306")
TEACHER_ROW = ("104857402", "2_T1043")


def upload(path: Path, name: str | None = None):
    """Build the multipart value of one file for the test client."""
    return (io.BytesIO(path.read_bytes()), name or path.name)


def wait_for_job(client, headers, job_id: str, timeout: float = 60.0) -> dict:
    """Poll the job status route until the job finished or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json
        if job["status"] in ("finished", "failed"):
            return job
        time.sleep(0.05)

    raise AssertionError(f"Job {job_id} did not finish within {timeout} seconds.")


def import_examples(client, headers, examples_dir: Path) -> None:
    """Import the example district's Schoology export and OneRoster files."""
    response = client.post(
        "/api/sources/schoology",
        data={"file": upload(examples_dir / EXAMPLE_SCHOOLOGY)},
        headers=headers,
    )
    assert response.status_code == 201, response.json

    folder = examples_dir / EXAMPLE_ONEROSTER
    files = [upload(path) for path in sorted(folder.glob("*.csv"))]
    response = client.post("/api/sources/sis", data={"file": files}, headers=headers)
    assert response.status_code == 201, response.json


def generate_report(client, headers, options: str = "email,name") -> dict:
    """Run a report job through the API and return the finished job."""
    response = client.post("/api/reports", json={"options": options}, headers=headers)
    assert response.status_code == 202, response.json
    job = wait_for_job(client, headers, response.json["id"])
    assert job["status"] == "finished", job["error"]

    return job


def download(client, headers, report_id: str, kind: str = "xlsx") -> bytes:
    response = client.get(f"/api/reports/{report_id}/download/{kind}", headers=headers)
    data = response.data
    # send_file streams from an open file; closing the response closes it.
    response.close()
    assert response.status_code == 200

    return data


def edit_report(data: bytes, mapping: dict[str, str]) -> bytes:
    """Type Integration-Mapping IDs into a report, keyed by Schoology User ID."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[MAPPING_SHEET]
    header = [cell.value for cell in sheet[HEADER_ROWS]]
    id_column = header.index("Schoology User ID")
    mapping_column = header.index("Integration-Mapping ID")
    found = set()
    for row in sheet.iter_rows(min_row=HEADER_ROWS + 1):
        schoology_id = row[id_column].value
        if schoology_id in mapping:
            row[mapping_column].value = mapping[schoology_id]
            found.add(schoology_id)
    assert found == set(mapping), f"rows not in the report: {set(mapping) - found}"

    buffer = io.BytesIO()
    workbook.save(buffer)

    return buffer.getvalue()


@pytest.fixture
def imported(client, admin_headers, examples_dir):
    import_examples(client, admin_headers, examples_dir)


@pytest.fixture
def report(client, admin_headers, imported) -> dict:
    """Generate a report of the example district; returns its summary."""
    return generate_report(client, admin_headers)["report"]


@pytest.fixture
def edited_workbook(client, admin_headers, report) -> bytes:
    """The example report with two scenario 2 rows mapped by hand."""
    data = download(client, admin_headers, report["id"])

    return edit_report(data, dict([STUDENT_ROW, TEACHER_ROW]))
