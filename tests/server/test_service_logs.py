"""The service's log: what each step records, and that it names no person."""

import csv
import io
import logging
import re

import pytest

from server import jobs
from server.services.reports import REPORT_JOB

from .conftest import (
    EXAMPLE_ONEROSTER,
    EXAMPLE_SCHOOLOGY,
    STUDENT_ROW,
    TEACHER_ROW,
    download,
    edit_report,
    generate_report,
    import_examples,
)

pytestmark = pytest.mark.database


@pytest.fixture
def service_log(caplog):
    """Capture the INFO records of every ``server`` logger, job threads too."""
    caplog.set_level(logging.INFO, logger="server")

    return caplog


def people_values(examples_dir) -> set[str]:
    """Collect every name, username, email and ID of a person in the examples."""
    schoology = (examples_dir / EXAMPLE_SCHOOLOGY).read_text(encoding="utf-8-sig")
    sis = (examples_dir / EXAMPLE_ONEROSTER / "users.csv").read_text(
        encoding="utf-8-sig"
    )
    schoology_columns = (
        "First Name",
        "Middle Name",
        "Last Name",
        "Username",
        "E-mail",
        "User Unique ID",
        "Schoology User ID",
    )
    sis_columns = (
        "sourcedId",
        "givenName",
        "familyName",
        "middleName",
        "username",
        "email",
    )
    values = set()
    for row in csv.DictReader(io.StringIO(schoology)):
        values.update(row[column] for column in schoology_columns)
    for row in csv.DictReader(io.StringIO(sis)):
        values.update(row[column] for column in sis_columns)
    values.update(local_id for _schoology_id, local_id in (STUDENT_ROW, TEACHER_ROW))

    return {value for value in values if value}


def post_workbook(client, headers, path: str, data: bytes, name: str = "r.xlsx"):
    return client.post(path, data={"file": (io.BytesIO(data), name)}, headers=headers)


def test_workflow_logs_counts_and_ids(
    client, admin_headers, admin_token, examples_dir, service_log
):
    import_examples(client, admin_headers, examples_dir)
    job = generate_report(client, admin_headers)
    report_id = job["report"]["id"]
    workbook = edit_report(
        download(client, admin_headers, report_id), dict([STUDENT_ROW, TEACHER_ROW])
    )
    post_workbook(client, admin_headers, "/api/validate", workbook)
    preview = post_workbook(client, admin_headers, "/api/updates/preview", workbook)
    applied = client.post(
        "/api/updates",
        json={"upload_id": preview.json["upload_id"]},
        headers=admin_headers,
    )
    batch_id = applied.json["batch"]["id"]
    changes = applied.json["batch"]["change_count"]
    client.post("/api/updates/undo", headers=admin_headers)
    post_workbook(client, admin_headers, "/api/validate", workbook)
    messages = [record.getMessage() for record in service_log.records]
    validated = f"Validated report {report_id}: 55 rows, 0 with errors, 0 with warnings"

    assert "Imported Schoology snapshot 1: 46 users (warnings: 0)" in messages
    assert "Imported SIS snapshot 2: 47 people from 2 files (warnings: 1)" in messages
    assert (
        f"Report job {job['id']}: matching Schoology snapshot 1 with SIS "
        "snapshot 2 on 2 mapping options"
    ) in messages
    assert (
        f"Stored report {report_id} of job {job['id']}: 55 rows, scenario 1 38, "
        "scenario 2 8, scenario 3 9, 1 already linked"
    ) in messages
    assert f"Finished report job {job['id']}" in messages
    assert (
        f"Applied report {report_id} as batch {batch_id}: {changes} changes, "
        "1 unchanged, 15 rows without an ID, 0 users gone from Schoology"
    ) in messages
    assert (
        f"Undid batch {batch_id} of report {report_id}: restored {changes} users"
    ) in messages
    # Validate, preview and apply each validate the workbook, and so does the
    # validation after the undo.
    assert messages.count(validated) == 4


def test_workflow_logs_no_person(
    client, admin_headers, admin_token, examples_dir, service_log
):
    import_examples(client, admin_headers, examples_dir)
    report_id = generate_report(client, admin_headers)["report"]["id"]
    # A teacher's local ID on a student's row, so validation reports an error.
    bad = edit_report(
        download(client, admin_headers, report_id), {STUDENT_ROW[0]: TEACHER_ROW[1]}
    )
    post_workbook(client, admin_headers, "/api/validate", bad)
    good = edit_report(
        download(client, admin_headers, report_id), dict([STUDENT_ROW, TEACHER_ROW])
    )
    preview = post_workbook(client, admin_headers, "/api/updates/preview", good)
    client.post(
        "/api/updates",
        json={"upload_id": preview.json["upload_id"]},
        headers=admin_headers,
    )
    client.get("/api/exports/changes", headers=admin_headers)
    client.post("/api/updates/undo", headers=admin_headers)
    post_workbook(client, admin_headers, "/api/validate", b"", "empty.xlsx")
    text = service_log.text

    assert "Applied report" in text
    for value in sorted(people_values(examples_dir)):
        assert not re.search(rf"(?<![\w.@-]){re.escape(value)}(?![\w.@-])", text), (
            f"the log contains {value!r}"
        )
    assert admin_token not in text
    assert admin_token.removeprefix("dp_") not in text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("edited.xlsx", b"", "empty file"),
        ("edited.csv", b"a,b\n", "unexpected suffix"),
        ("edited.xlsx", b"not a zip archive", "not an Office Open XML package"),
    ],
)
def test_rejected_upload_logs_reason(
    client, viewer_headers, service_log, name, data, reason
):
    response = post_workbook(client, viewer_headers, "/api/validate", data, name)

    assert response.status_code == 415
    assert (
        f"Rejected a report workbook upload of {len(data)} bytes: {reason}"
        in service_log.messages
    )
    assert name not in service_log.text


def test_rejected_report_logs_class(
    client, admin_headers, edited_workbook, service_log
):
    generate_report(client, admin_headers)
    response = post_workbook(client, admin_headers, "/api/validate", edited_workbook)

    assert response.status_code == 409
    assert (
        f"Rejected a report workbook upload of {len(edited_workbook)} bytes: "
        "ConflictError"
    ) in service_log.messages


def test_rejected_export_logs_reason(client, admin_headers, service_log):
    data = b"Name,Colour\nAva,blue\n"
    response = client.post(
        "/api/sources/schoology",
        data={"file": (io.BytesIO(data), "users.csv")},
        headers=admin_headers,
    )

    assert response.status_code == 422
    assert (
        f"Rejected a Schoology export upload of {len(data)} bytes: ExportError"
        in service_log.messages
    )
    assert "Ava" not in service_log.text


def test_failed_report_job_logs_class(app, imported, service_log):
    params = {"options": ["email"], "schoology_snapshot_id": 1, "sis_snapshot_id": 99}
    with app.app_context():
        job = jobs.run_now(REPORT_JOB, params, None)

    assert job.status == "failed"
    assert f"report job {job.id} failed: SnapshotNotFoundError" in (
        service_log.messages
    )
    assert "Snapshot 99" not in service_log.text
