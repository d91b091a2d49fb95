"""The command line flow: import, report, validate, apply, export, undo."""

import csv
import io

import openpyxl
import pytest

from server.cli import main

from .conftest import (
    EXAMPLE_ONEROSTER,
    EXAMPLE_SCHOOLOGY,
    STUDENT_ROW,
    TEACHER_ROW,
    edit_report,
)

pytestmark = pytest.mark.database


@pytest.fixture
def cli_report(runner, examples_dir, tmp_path):
    """Import the examples and write a database-mode report to a file."""
    first = runner.invoke(
        main, ["import", "schoology", str(examples_dir / EXAMPLE_SCHOOLOGY)]
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        main, ["import", "sis", str(examples_dir / EXAMPLE_ONEROSTER)]
    )
    assert second.exit_code == 0, second.output
    output = tmp_path / "report.xlsx"
    result = runner.invoke(
        main, ["report", "--match", "email,name", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output

    return output


def write_edit(tmp_path, report_path, mapping) -> str:
    path = tmp_path / "edited.xlsx"
    path.write_bytes(edit_report(report_path.read_bytes(), mapping))

    return str(path)


def test_import_prints_counts(runner, examples_dir):
    result = runner.invoke(
        main, ["import", "schoology", str(examples_dir / EXAMPLE_SCHOOLOGY)]
    )

    assert result.exit_code == 0
    assert "Imported schoology snapshot 1: 46 users from 1 file." in result.output


def test_import_missing_column_fails(runner, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("Name,Colour\nAva,blue\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "schoology", str(path)])

    assert result.exit_code == 2
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output


def test_report_database_mode(runner, cli_report):
    result = runner.invoke(main, ["report", "--match", "email"])

    assert cli_report.stat().st_size > 0
    assert result.exit_code == 0, result.output
    assert "scenario 1" in result.output
    assert "already linked 1" in result.output


def test_report_half_file_mode_rejected(runner, examples_dir):
    result = runner.invoke(
        main,
        ["report", "--match", "email", "--schoology", str(examples_dir / "x.csv")],
    )

    assert result.exit_code == 2
    assert "Give --schoology, --sis and --output" in result.output


def test_validate_clean_exits_zero(runner, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, dict([STUDENT_ROW]))
    result = runner.invoke(main, ["validate", edited])

    assert result.exit_code == 0, result.output
    assert "0 with errors" in result.output


def test_validate_error_exits_one(runner, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, {STUDENT_ROW[0]: TEACHER_ROW[1]})
    result = runner.invoke(main, ["validate", edited])

    assert result.exit_code == 1
    assert "1 with errors" in result.output
    assert "Error:" in result.output


def test_apply_asks_then_applies(runner, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, dict([STUDENT_ROW, TEACHER_ROW]))
    declined = runner.invoke(main, ["apply", edited], input="n\n")
    accepted = runner.invoke(main, ["apply", edited], input="y\n")

    assert declined.exit_code == 1
    assert f"Schoology user {STUDENT_ROW[0]}:" in declined.output
    assert f"-> {STUDENT_ROW[1]}" in declined.output
    assert accepted.exit_code == 0, accepted.output
    assert "Updated the Unique ID of" in accepted.output


def test_apply_with_errors_fails(runner, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, {STUDENT_ROW[0]: TEACHER_ROW[1]})
    result = runner.invoke(main, ["apply", edited, "--yes"])

    assert result.exit_code == 1
    assert "Nothing was changed" in result.output


def test_export_and_undo(runner, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, dict([STUDENT_ROW]))
    runner.invoke(main, ["apply", edited, "--yes"])
    target = tmp_path / "changes.csv"
    exported = runner.invoke(main, ["export", "changes", "-o", str(target)])
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    undone = runner.invoke(main, ["undo", "--yes"])
    again = runner.invoke(main, ["undo", "--yes"])

    assert exported.exit_code == 0, exported.output
    assert {row["Schoology User ID"]: row["User Unique ID"] for row in rows}[
        STUDENT_ROW[0]
    ] == STUDENT_ROW[1]
    assert undone.exit_code == 0, undone.output
    assert "Restored the Unique ID of" in undone.output
    assert again.exit_code == 2
    assert "There is no applied update to undo." in again.output


def test_apply_needs_admin_user(runner, cli_report, tmp_path):
    runner.invoke(
        main, ["create-user", "ben.viewer", "--password-stdin"], input="long password\n"
    )
    edited = write_edit(tmp_path, cli_report, dict([STUDENT_ROW]))
    result = runner.invoke(main, ["apply", edited, "--yes", "--user", "ben.viewer"])

    assert result.exit_code == 2
    assert "only an admin can do this" in result.output


# Words of the web pages that a command-line message must not use.
WEB_WORDS = ("upload", "Upload", "Data Prep page", "Logs page", "download")


def assert_no_web_words(text: str) -> None:
    for word in WEB_WORDS:
        assert word not in text, f"{word!r} in {text!r}"


def test_validate_csv_gets_cli_words(runner, tmp_path):
    path = tmp_path / "edited.csv"
    path.write_text("Schoology User ID\n1\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path)])

    assert result.exit_code == 2
    assert (
        "Error: edited.csv has the suffix '.csv'; give a .xlsx file." in result.output
    )
    assert_no_web_words(result.output)


def test_validate_applied_gets_cli_words(runner, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, dict([STUDENT_ROW]))
    runner.invoke(main, ["apply", edited, "--yes"])
    result = runner.invoke(main, ["validate", edited])

    assert result.exit_code == 2
    assert "so applying it again would change nothing." in result.output
    assert (
        "Generate a new report with 'dataprep report' to map the users that are "
        "still unmatched." in result.output
    )
    assert_no_web_words(result.output)


def test_validate_superseded_gets_cli_words(runner, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, dict([STUDENT_ROW]))
    runner.invoke(main, ["report", "--match", "email"])
    result = runner.invoke(main, ["validate", edited])

    assert result.exit_code == 2
    assert "is out of date" in result.output
    assert (
        "Generate a new report with 'dataprep report --output FILE.xlsx' and make "
        "your edits there." in result.output
    )
    assert_no_web_words(result.output)


def test_validate_other_workbook_gets_cli_words(runner, tmp_path):
    path = tmp_path / "mine.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Schoology User ID"])
    workbook.save(path)
    result = runner.invoke(main, ["validate", str(path)])

    assert result.exit_code == 2
    assert (
        "this workbook is not a user mapping report generated by SIS Data Prep; "
        "generate one with 'dataprep report'." in result.output
    )
    assert_no_web_words(result.output)


def test_api_gets_api_words(runner, client, admin_headers, cli_report, tmp_path):
    edited = write_edit(tmp_path, cli_report, dict([STUDENT_ROW]))
    runner.invoke(main, ["apply", edited, "--yes"])
    with open(edited, "rb") as file:
        response = client.post(
            "/api/validate", data={"file": (file, "edited.xlsx")}, headers=admin_headers
        )
    message = response.json["message"]

    assert response.status_code == 409
    assert "so applying it again would change nothing." in message
    assert "Generate a new report with POST /api/reports to map the users" in message
    assert "page" not in message
    assert "dataprep" not in message
