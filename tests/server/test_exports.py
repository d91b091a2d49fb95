"""CSV exports in the columns of Schoology's user import."""

import csv
import io

import pytest

from server.core.model import Role
from server.core.readers import read_schoology
from server.services.exports import IMPORT_COLUMNS

from .conftest import STUDENT_ROW, TEACHER_ROW

pytestmark = pytest.mark.database


def read_csv(response) -> list[dict]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")

    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def applied(client, admin_headers, edited_workbook) -> dict:
    preview = client.post(
        "/api/updates/preview",
        data={"file": (io.BytesIO(edited_workbook), "edited.xlsx")},
        headers=admin_headers,
    )
    response = client.post(
        "/api/updates",
        json={"upload_id": preview.json["upload_id"]},
        headers=admin_headers,
    )
    assert response.status_code == 201

    return response.json["batch"]


def test_changes_csv_has_import_columns(client, viewer_headers, applied):
    response = client.get("/api/exports/changes", headers=viewer_headers)
    rows = read_csv(response)
    by_id = {row["Schoology User ID"]: row for row in rows}

    assert response.mimetype == "text/csv"
    assert f"batch-{applied['id']}" in response.headers["Content-Disposition"]
    assert tuple(rows[0]) == IMPORT_COLUMNS
    assert len(rows) == applied["change_count"]
    assert by_id[STUDENT_ROW[0]]["User Unique ID"] == STUDENT_ROW[1]
    assert by_id[TEACHER_ROW[0]]["User Unique ID"] == TEACHER_ROW[1]
    assert by_id[TEACHER_ROW[0]]["Last Name"] != ""


def test_changes_csv_header_is_literal(client, viewer_headers, applied):
    response = client.get("/api/exports/changes", headers=viewer_headers)
    header = response.data.decode("utf-8").splitlines()[0]

    assert header == (
        "\ufeffSchoology User ID,User Unique ID,First Name,Middle Name,Last Name,"
        "Username,E-mail,Role,School,Grad Year"
    )
    assert list(IMPORT_COLUMNS) == [
        "Schoology User ID",
        "User Unique ID",
        "First Name",
        "Middle Name",
        "Last Name",
        "Username",
        "E-mail",
        "Role",
        "School",
        "Grad Year",
    ]


def test_changes_csv_reads_as_schoology_export(
    client, viewer_headers, applied, tmp_path
):
    response = client.get("/api/exports/changes", headers=viewer_headers)
    path = tmp_path / "changes.csv"
    path.write_bytes(response.data)
    export = read_schoology(path)
    by_id = {user.schoology_id: user for user in export.users}
    batch = client.get(f"/api/updates/{applied['id']}", headers=viewer_headers).json
    expected = {change["schoology_id"]: change["after"] for change in batch["changes"]}

    assert export.warnings == []
    assert export.files == [("changes.csv", "schoology", applied["change_count"])]
    assert {sid: user.unique_id for sid, user in by_id.items()} == expected
    assert by_id[STUDENT_ROW[0]].unique_id == STUDENT_ROW[1]
    assert by_id[STUDENT_ROW[0]].role == Role.STUDENT
    assert by_id[TEACHER_ROW[0]].unique_id == TEACHER_ROW[1]
    assert by_id[TEACHER_ROW[0]].role == Role.STAFF
    assert by_id[TEACHER_ROW[0]].last_name != ""


def test_users_csv_lists_everyone(client, viewer_headers, applied):
    rows = read_csv(client.get("/api/exports/users", headers=viewer_headers))
    by_id = {row["Schoology User ID"]: row for row in rows}

    assert len(rows) == 46
    assert by_id[STUDENT_ROW[0]]["User Unique ID"] == STUDENT_ROW[1]
    assert by_id["104857302"]["User Unique ID"] == "1_004512"
    assert by_id["104857325"]["User Unique ID"] == "teststudent"


def test_changes_of_undone_batch_rejected(client, admin_headers, applied):
    client.post("/api/updates/undo", headers=admin_headers)
    latest = client.get("/api/exports/changes", headers=admin_headers)
    named = client.get(
        f"/api/exports/changes?batch_id={applied['id']}", headers=admin_headers
    )

    assert latest.status_code == 409
    assert "No update is in effect" in latest.json["message"]
    assert named.status_code == 409
    assert "was undone" in named.json["message"]


def test_changes_unknown_batch(client, admin_headers, imported):
    response = client.get("/api/exports/changes?batch_id=99", headers=admin_headers)

    assert response.status_code == 404
    assert "Update batch 99 not found." == response.json["message"]


def test_changes_bad_batch_number(client, admin_headers):
    response = client.get("/api/exports/changes?batch_id=two", headers=admin_headers)

    assert response.status_code == 400
    assert "batch_id 'two' is not a whole number." == response.json["message"]
