"""Validation through the server, with the database's own lookups."""

import io

import openpyxl
import pytest
from sqlalchemy import update

from server.cli import main
from server.core.layout import MAPPING_SHEET, META_SHEET
from server.db import get_session
from server.models import SchoologyAccount
from tests.core.test_readback import with_unreadable_sheet

from .conftest import STUDENT_ROW, download, edit_report

pytestmark = pytest.mark.database

# A scenario 2 student of the example district other than STUDENT_ROW's.
OTHER_STUDENT = "104857325"


def validate(client, headers, workbook: bytes, name: str = "edited.xlsx"):
    return client.post(
        "/api/validate",
        data={"file": (io.BytesIO(workbook), name)},
        headers=headers,
    )


def set_unique_id(app, schoology_id: str, unique_id: str) -> None:
    with app.app_context():
        session = get_session()
        session.execute(
            update(SchoologyAccount)
            .where(SchoologyAccount.schoology_id == schoology_id)
            .values(unique_id=unique_id)
        )
        session.commit()


def test_linked_id_is_error(app, client, admin_headers, report):
    schoology_id, local_id = STUDENT_ROW
    set_unique_id(app, OTHER_STUDENT, local_id)
    workbook = edit_report(
        download(client, admin_headers, report["id"]), {schoology_id: local_id}
    )
    response = validate(client, admin_headers, workbook)
    errors = [row for row in response.json["rows"] if row["level"] == "error"]

    assert response.status_code == 200
    assert response.json["has_errors"] is True
    assert response.json["totals"]["error"] == 1
    assert len(errors) == 1
    assert errors[0]["mapping_id"] == local_id
    assert errors[0]["columns"] == ["Integration-Mapping ID"]
    assert len(errors[0]["messages"]) == 1
    assert errors[0]["messages"][0].endswith(
        f"'{local_id}' is already the Unique ID of Schoology user {OTHER_STUDENT}, "
        "and a SIS user can be linked to one Schoology user only. Clear the cell, "
        f"or change the Unique ID of Schoology user {OTHER_STUDENT} first."
    )


def test_linked_id_blocks_preview(app, client, admin_headers, report):
    schoology_id, local_id = STUDENT_ROW
    set_unique_id(app, OTHER_STUDENT, local_id)
    workbook = edit_report(
        download(client, admin_headers, report["id"]), {schoology_id: local_id}
    )
    response = client.post(
        "/api/updates/preview",
        data={"file": (io.BytesIO(workbook), "edited.xlsx")},
        headers=admin_headers,
    )

    assert response.status_code == 201
    assert response.json["can_apply"] is False
    assert response.json["plan"] is None


def with_report_id(workbook: bytes, report_id: str) -> bytes:
    """Write another report id into the workbook's hidden meta sheet."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = book[META_SHEET]
    cells = [row[1] for row in sheet.iter_rows() if row[0].value == "report_id"]
    assert len(cells) == 1, "the meta sheet has no report_id row"
    cells[0].value = report_id
    buffer = io.BytesIO()
    book.save(buffer)

    return buffer.getvalue()


UNKNOWN_REPORT = "0" * 32


def test_unknown_report_says_what_to_do(client, admin_headers, report):
    workbook = with_report_id(
        download(client, admin_headers, report["id"]), UNKNOWN_REPORT
    )
    response = validate(client, admin_headers, workbook, "foreign.xlsx")

    assert response.status_code == 404
    assert response.json["error"] == "report_not_found"
    assert response.json["message"] == (
        f"foreign.xlsx is report {UNKNOWN_REPORT}, which this server has no record "
        "of: it may come from another server or have been deleted. Generate a new "
        "report with POST /api/reports and make your edits there."
    )


def test_unknown_report_cli_says_what_to_do(
    runner, client, admin_headers, report, tmp_path
):
    path = tmp_path / "foreign.xlsx"
    path.write_bytes(
        with_report_id(download(client, admin_headers, report["id"]), UNKNOWN_REPORT)
    )
    result = runner.invoke(main, ["validate", str(path)])

    assert result.exit_code == 2
    assert result.output == (
        f"Error: foreign.xlsx is report {UNKNOWN_REPORT}, which this server has no "
        "record of: it may come from another server or have been deleted. "
        "Generate a new report with 'dataprep report' and make your edits there.\n"
    )


def foreign_unreadable(client, headers, report: dict) -> bytes:
    """Build a report of an unknown id whose Mapping sheet is not XML.

    Validation fails on that sheet if it reads it, so only a check of the
    report id before the Mapping sheets gives the unknown-report message.
    """
    workbook = with_report_id(download(client, headers, report["id"]), UNKNOWN_REPORT)

    return with_unreadable_sheet(workbook, MAPPING_SHEET)


@pytest.mark.parametrize("route", ["/api/validate", "/api/updates/preview"])
def test_unknown_report_mapping_unread(client, admin_headers, report, route):
    workbook = foreign_unreadable(client, admin_headers, report)
    response = client.post(
        route,
        data={"file": (io.BytesIO(workbook), "foreign.xlsx")},
        headers=admin_headers,
    )

    assert response.status_code == 404
    assert response.json["error"] == "report_not_found"
    assert response.json["message"].startswith(
        f"foreign.xlsx is report {UNKNOWN_REPORT}, which this server has no record "
        "of: it may come from another server or have been deleted."
    )


@pytest.mark.parametrize("command", [["validate"], ["apply", "--yes"]])
def test_unknown_report_cli_mapping_unread(
    runner, client, admin_headers, report, tmp_path, command
):
    path = tmp_path / "foreign.xlsx"
    path.write_bytes(foreign_unreadable(client, admin_headers, report))
    result = runner.invoke(main, [*command, str(path)])

    assert result.exit_code == 2
    assert result.output.startswith(
        f"Error: foreign.xlsx is report {UNKNOWN_REPORT}, which this server has no "
        "record of:"
    )
