"""Validation of edited reports, written by the real writer and edited with openpyxl.

The sample district has a row for each case: scenario 1 rows (one already
linked), scenario 2 rows of each role, and scenario 3 rows. Each test edits
the workbook the way a user would (open, change cells, save) and checks the
row's level and message.
"""

from __future__ import annotations

import copy
import gc
import shutil
import subprocess

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from server.core import layout, workbook_style
from server.core.errors import ConflictError, ReportNotFoundError, WorkbookError
from server.core.model import Role, SchoologyUser, SisUser, parse_role
from server.core.readback import read_report
from server.core.validate import (
    ERROR,
    OK,
    WARNING,
    SchoologyAccount,
    SisPerson,
    StoredReport,
    ValidationContext,
    validate,
    write_annotated,
)
from server.core.workbook import ReportMeta, write_report

REPORT_ID = "rpt-0001"
MAPPING_ID_COLUMN = "Integration-Mapping ID"
MARK_RGB = workbook_style.MARK_FILL.fgColor.rgb


def schoology_user(sid, unique_id, first, last, role_name) -> SchoologyUser:
    return SchoologyUser(
        line=2,
        schoology_id=sid,
        unique_id=unique_id,
        first_name=first,
        middle_name="",
        last_name=last,
        username=f"{first}.{last}".lower(),
        email=f"{first}.{last}@example.org".lower(),
        role=parse_role(role_name),
        role_name=role_name,
        school="North High",
    )


def sis_user(local_id, first, last, role_name) -> SisUser:
    key = local_id.split("_", 1)[1]
    return SisUser(
        line=2,
        source="users.csv",
        local_id=local_id,
        sis_key=key,
        number=key,
        first_name=first,
        middle_name="",
        last_name=last,
        username=f"{first}.{last}".lower(),
        email=f"{first}.{last}@example.org".lower(),
        role=parse_role(role_name),
        role_name=role_name,
        school="North High",
    )


# Every name, email and ID is invented.
SCHOOLOGY = {
    "1001": schoology_user("1001", "", "Ana", "Diaz", "Student"),
    "1002": schoology_user("1002", "2_0457", "Dana", "Reyes", "Teacher"),
    "1003": schoology_user("1003", "", "Omar", "Lee", "Student"),
    "1004": schoology_user("1004", "", "Rosa", "Lee", "Parent"),
    "1005": schoology_user("1005", "", "Ian", "Moss", "Student"),
}
SIS = {
    "1_004512": sis_user("1_004512", "Ana", "Diaz", "student"),
    "2_0457": sis_user("2_0457", "Dana", "Reyes", "teacher"),
    "1_S88213": sis_user("1_S88213", "Omar", "Lee", "student"),
    "1_0088": sis_user("1_0088", "Ian", "Moss", "student"),
    "3_7781": sis_user("3_7781", "Rosa", "Lee", "guardian"),
    "2_0999": sis_user("2_0999", "Eli", "Park", "teacher"),
}


def sample_rows() -> list[layout.ReportRow]:
    return [
        layout.ReportRow(
            1, SCHOOLOGY["1001"], SIS["1_004512"], "1_004512", matched_by="email"
        ),
        layout.ReportRow(
            1, SCHOOLOGY["1002"], SIS["2_0457"], "2_0457", matched_by="linked"
        ),
        layout.ReportRow(2, SCHOOLOGY["1003"]),
        layout.ReportRow(2, SCHOOLOGY["1004"]),
        layout.ReportRow(2, SCHOOLOGY["1005"]),
        layout.ReportRow(3, sis=SIS["1_S88213"]),
        layout.ReportRow(3, sis=SIS["1_0088"]),
        layout.ReportRow(3, sis=SIS["3_7781"]),
        layout.ReportRow(3, sis=SIS["2_0999"]),
    ]


def write_sample(path, rows=None) -> StoredReport:
    """Write the sample report and return it as the server would store it."""
    rows = sample_rows() if rows is None else rows
    meta = ReportMeta(REPORT_ID, "2026-12-04T09:00:00Z", ["email"])
    info = write_report(path, rows, meta)
    values = [layout.row_values(row) for row in rows]

    return StoredReport(REPORT_ID, info.digest, {layout.row_key(v): v for v in values})


def make_context(stored, *, schoology=None, sis=None, links=None):
    schoology = SCHOOLOGY if schoology is None else schoology
    sis = SIS if sis is None else sis
    return ValidationContext(
        report=stored,
        sis={
            local_id: SisPerson(user.role, f"{user.first_name} {user.last_name}")
            for local_id, user in sis.items()
        },
        schoology={
            sid: SchoologyAccount(user.role, user.unique_id)
            for sid, user in schoology.items()
        },
        links=links,
    )


def find_row(ws, *, sid=None, local_id=None) -> int:
    """Return the Excel row of a user, found the way a user would look."""
    column = 1 if sid else layout.SIS_LOCAL_ID + 1
    target = sid or local_id
    for row in range(layout.HEADER_ROWS + 1, ws.max_row + 1):
        if ws.cell(row, column).value == target:
            return row

    raise AssertionError(f"no row for {target}")


def column_of(name: str) -> int:
    return layout.COLUMN_INDEX[name] + 1


def edit(path, changes, *, sheet=layout.MAPPING_SHEET):
    """Open the workbook and set cells given as (user ID, column name): value."""
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet]
    for (user_id, column), value in changes.items():
        row = user_row(ws, user_id)
        ws.cell(row, column_of(column)).value = value
    workbook.save(path)


def user_row(ws, user_id: str) -> int:
    """Find a row by Schoology User ID, or by SIS local ID (which has a _)."""
    if "_" in user_id:
        return find_row(ws, local_id=user_id)

    return find_row(ws, sid=user_id)


def cell_name(path, user_id, column) -> str:
    ws = openpyxl.load_workbook(path)[layout.MAPPING_SHEET]
    row = user_row(ws, user_id)

    return f"Mapping!{get_column_letter(column_of(column))}{row}"


def result_of(result, *, sid="", local_id=""):
    for row in result.rows:
        schoology_id, row_local_id = row.key.split("|")
        if (sid and schoology_id == sid) or (local_id and row_local_id == local_id):
            return row

    raise AssertionError(f"no result for {sid or local_id}")


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "report.xlsx"
    stored = write_sample(path)

    return path, stored


def run(path, stored, **context):
    return validate(read_report(path), make_context(stored, **context))


def test_unedited_report_all_ok(report):
    path, stored = report

    result = run(path, stored)

    assert result.totals == {
        "rows": 9,
        "ok": 9,
        "warning": 0,
        "error": 0,
        "ids": 2,
        "deleted": 0,
    }
    assert not result.has_errors
    assert result.notes == []


def test_scenario_2_id_accepted(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == OK
    assert row.mapping_id == "1_S88213"


def test_unknown_report_id_rejected(report):
    path, stored = report
    other = StoredReport("rpt-9999", stored.digest, stored.rows)

    with pytest.raises(ReportNotFoundError) as raised:
        run(path, other)

    assert "report rpt-0001" in raised.value.message
    assert "no record" in raised.value.message
    assert raised.value.message.endswith(
        "Generate a new report from the Data Prep page and make your edits there."
    )


def test_no_stored_report_rejected(report):
    path, _stored = report

    with pytest.raises(ReportNotFoundError):
        validate(read_report(path), make_context(None))


def test_superseded_report_rejected(report):
    path, stored = report
    stored.superseded = True
    stored.newer_report_id = "rpt-0002"

    with pytest.raises(ConflictError) as raised:
        run(path, stored)

    assert "Report rpt-0001 is out of date" in raised.value.message
    assert "report rpt-0002 was generated after it" in raised.value.message


def test_applied_report_rejected(report):
    path, stored = report
    stored.superseded = True
    stored.applied_at = "2026-12-04T10:00:00Z"

    with pytest.raises(ConflictError) as raised:
        run(path, stored)

    assert "applied already on 2026-12-04T10:00:00Z" in raised.value.message


def test_foreign_meta_digest_rejected(report):
    path, stored = report
    stored.digest = "0" * 64

    with pytest.raises(WorkbookError) as raised:
        run(path, stored)

    assert "does not match that report as generated" in raised.value.message


def test_sorted_rows_validate_by_key(report):
    path, stored = report
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    first = layout.HEADER_ROWS + 1
    data = [
        [cell.value for cell in row]
        for row in ws.iter_rows(min_row=first, max_row=ws.max_row)
    ]
    for offset, values in enumerate(reversed(data)):
        for column, value in enumerate(values, start=1):
            ws.cell(first + offset, column).value = value
    workbook.save(path)
    edit(path, {("1003", MAPPING_ID_COLUMN): "3_7781"})

    result = run(path, stored)
    row = result_of(result, sid="1003")

    assert result.totals["error"] == 1
    assert result.totals["deleted"] == 0
    assert row.row == find_row(openpyxl.load_workbook(path)["Mapping"], sid="1003")
    assert row.messages[0].startswith(cell_name(path, "1003", MAPPING_ID_COLUMN))


def test_deleted_scenario_2_row_warns(report):
    path, stored = report
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    ws.delete_rows(find_row(ws, sid="1004"))
    workbook.save(path)

    result = run(path, stored)

    assert not result.has_errors
    assert result.deleted == 1
    assert result.notes == [
        "The scenario 2 row of Schoology user 1004 is missing from the workbook. "
        "It carried no link, so nothing changes for that user."
    ]


def test_deleted_scenario_1_row_warns(report):
    path, stored = report
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    ws.delete_rows(find_row(ws, sid="1001"))
    workbook.save(path)

    result = run(path, stored)

    assert not result.has_errors
    assert result.deleted == 1
    assert "1001 and SIS user 1_004512" in result.notes[0]
    assert "will not be linked" in result.notes[0]


def test_inserted_row_is_error(report):
    path, stored = report
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    new_row = ws.max_row + 1
    ws.cell(new_row, 1).value = "1999"
    ws.cell(new_row, column_of("Scenario")).value = 2
    ws.cell(new_row, column_of(MAPPING_ID_COLUMN)).value = "1_S88213"
    workbook.save(path)

    result = run(path, stored)
    row = result_of(result, sid="1999")

    assert row.level == ERROR
    assert row.messages == [
        f"Mapping!A{new_row}: this row (Schoology User ID '1999', SIS Local ID an "
        "empty cell) is not in report rpt-0001. Rows cannot be added to a report: "
        "delete the row, or generate a new report to include new users."
    ]


def test_copied_row_is_error(report):
    path, stored = report
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    source = find_row(ws, sid="1003")
    new_row = ws.max_row + 1
    for column in range(1, len(layout.COLUMNS) + 1):
        ws.cell(new_row, column).value = ws.cell(source, column).value
    workbook.save(path)

    result = run(path, stored)

    assert result.rows[-1].level == ERROR
    assert result.rows[-1].messages == [
        f"Mapping!A{new_row}: this row repeats the row at Mapping!A{source}, and "
        "each user appears on one row only. Delete one of the two rows."
    ]
    assert result_of(result, sid="1003").level == OK


def test_id_typed_below_data_is_error(report):
    path, stored = report
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    new_row = ws.max_row + 2
    ws.cell(new_row, column_of(MAPPING_ID_COLUMN)).value = "1_S88213"
    workbook.save(path)

    result = run(path, stored)

    assert result.rows[-1].row == new_row
    assert result.rows[-1].level == ERROR
    assert "no Schoology User ID and no SIS Local ID" in result.rows[-1].messages[0]


def test_edited_locked_cell_is_error(report):
    path, stored = report
    edit(path, {("1001", "Last Name"): "Diaz-Ortiz"})

    row = result_of(run(path, stored), sid="1001")

    assert row.level == ERROR
    assert row.messages == [
        f"{cell_name(path, '1001', 'Last Name')}: Last Name was changed from "
        "'Diaz' to 'Diaz-Ortiz', but only the Integration-Mapping ID may be "
        "edited. Change it back, or download the report again."
    ]
    assert row.columns == [layout.COLUMN_INDEX["Last Name"]]


def test_edited_key_cell_names_the_cell(report):
    path, stored = report
    edit(path, {("1_S88213", "SIS Local ID"): "1_S88214"})

    result = run(path, stored)
    row = result_of(result, local_id="1_S88214")

    assert row.level == ERROR
    assert "SIS Local ID was changed from '1_S88213' to '1_S88214'" in row.messages[0]
    assert row.columns == [layout.SIS_LOCAL_ID]
    assert result.deleted == 0


def test_status_column_content_ignored(report):
    path, stored = report
    edit(path, {("1003", "Status"): "Error: anything the user typed"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == OK


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            88,
            "the Integration-Mapping ID '88' is stored as a number, so Excel may "
            "have dropped leading zeros and a number cannot restore them. Did you "
            "mean '1_0088'? Format the Integration-Mapping ID column as Text and "
            "type the ID again.",
        ),
        (
            88.0,
            "the Integration-Mapping ID '88' is stored as a number",
        ),
        (
            "88.0",
            "the Integration-Mapping ID '88.0' is a number that Excel converted to "
            "text, so leading zeros may be lost and a number cannot restore them. "
            "Did you mean '1_0088'?",
        ),
        (
            12345678901234567,
            "is a number of 17 digits, but Excel keeps only 15 significant digits",
        ),
        (
            "1.23E+16",
            "the Integration-Mapping ID '1.23E+16' is a number in scientific "
            "notation that Excel made of a long ID, so its digits are lost and "
            "cannot be restored. Format the Integration-Mapping ID column as Text",
        ),
        (
            "'1_0088",
            "the Integration-Mapping ID ''1_0088' starts with an apostrophe, which "
            "a Text cell keeps as part of the ID. Did you mean '1_0088'? Type the "
            "ID without the apostrophe.",
        ),
        (4512.5, "is a number with decimals, not an ID"),
        (True, "is a TRUE/FALSE value, not an ID"),
    ],
)
def test_excel_mangled_id_is_error(report, value, expected):
    path, stored = report
    edit(path, {("1005", MAPPING_ID_COLUMN): value})

    row = result_of(run(path, stored), sid="1005")

    assert row.level == ERROR
    assert expected in row.messages[0]
    assert row.messages[0].startswith(cell_name(path, "1005", MAPPING_ID_COLUMN))
    assert row.columns == [layout.MAPPING_ID]


def test_unsaved_formula_id_is_error(report):
    # openpyxl saves a formula without calculating it, as scripts do.
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): '="1_S8"&"8213"'})

    result = run(path, stored)
    row = result_of(result, sid="1003")

    assert row.level == ERROR
    assert row.messages == [
        f"{cell_name(path, '1003', MAPPING_ID_COLUMN)}: the Integration-Mapping ID "
        '\'="1_S8"&"8213"\' is a formula whose value was never calculated, '
        "because the program that saved the file did not run it. Type the local "
        "ID itself as text, or open the workbook in Excel and save it so that the "
        "formula is calculated."
    ]
    assert row.columns == [layout.MAPPING_ID]
    assert result.totals["error"] == 1


def test_unsaved_formula_in_locked_cell_is_error(report):
    path, stored = report
    edit(path, {("1003", "First Name"): '=UPPER("ana")'})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert '=UPPER("ana")' in row.messages[0]
    assert row.columns == [layout.COLUMN_INDEX["First Name"]]


def test_unsaved_formula_below_data_is_error(report):
    path, stored = report
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    below = ws.max_row + 1
    ws.cell(below, column_of(MAPPING_ID_COLUMN)).value = '="1_S88213"'
    workbook.save(path)

    result = run(path, stored)

    # Without the formula scan the row reads as empty and is skipped.
    assert result.rows[-1].row == below
    assert result.rows[-1].level == ERROR
    assert "no Schoology User ID and no SIS Local ID" in result.rows[-1].messages[0]


def test_id_trimmed(report):
    path, stored = report
    edit(path, {("1005", MAPPING_ID_COLUMN): " \u00a01_0088\u200b "})

    row = result_of(run(path, stored), sid="1005")

    assert row.level == OK
    assert row.mapping_id == "1_0088"


def test_invisible_character_shown(report):
    # A zero-width space inside the ID, as a copy from a web page brings it.
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88\u200b213"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert row.messages[0].startswith(
        f"{cell_name(path, '1003', MAPPING_ID_COLUMN)}: '1_S88<U+200B>213' is not "
    )


def test_lookalike_letter_named(report):
    # The T is Cyrillic, pasted from a document.
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_\u0405\u0422213"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert (
        "It contains 'Ѕ' (U+0405 CYRILLIC CAPITAL LETTER DZE), which is not a "
        "Latin letter or digit."
    ) in row.messages[0]


def test_long_value_cut_in_message(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S" + "8" * 32_000})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert "(32,003 characters)" in row.messages[0]
    assert len(row.messages[0]) < 400


def test_id_not_in_snapshot_is_error(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88299"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert row.messages == [
        f"{cell_name(path, '1003', MAPPING_ID_COLUMN)}: '1_S88299' is not a SIS "
        "local ID in the current SIS snapshot. Pick the ID from the SIS Users sheet."
    ]


def test_bare_prefix_is_error(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert "'1_' is only a role prefix." in row.messages[0]


@pytest.mark.parametrize(
    ("deleted", "summary"),
    [
        (
            120,
            "20 more rows of report rpt-0001 are missing from the workbook, and "
            "the users on them will not be linked by this upload.",
        ),
        (
            101,
            "1 more row of report rpt-0001 is missing from the workbook, and the "
            "user on it will not be linked by this upload.",
        ),
    ],
)
def test_many_deleted_rows_summarized(tmp_path, deleted, summary):
    rows = sample_rows() + [
        layout.ReportRow(3, sis=sis_user(f"1_{n:05d}", "Kim", "Vo", "student"))
        for n in range(deleted)
    ]
    path = tmp_path / "report.xlsx"
    stored = write_sample(path, rows)
    workbook = openpyxl.load_workbook(path)
    ws = workbook[layout.MAPPING_SHEET]
    ws.delete_rows(layout.HEADER_ROWS + len(sample_rows()) + 1, deleted)
    workbook.save(path)
    sis = {**SIS, **{row.sis.local_id: row.sis for row in rows if row.sis}}

    result = run(path, stored, sis=sis)

    assert result.deleted == deleted
    assert len(result.notes) == 101
    assert result.notes[-1] == summary
    assert not result.has_errors


def test_id_in_wrong_case_suggests(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_s88213"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert "Did you mean '1_S88213'?" in row.messages[0]


def test_id_without_prefix_is_error(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "S88213"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert "'S88213' has no role prefix (1_ for a student" in row.messages[0]
    assert "Did you mean '1_S88213'?" in row.messages[0]


def test_prefix_wrong_for_role_is_error(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "3_7781"})

    row = result_of(run(path, stored), sid="1003")

    assert row.level == ERROR
    assert row.messages == [
        f"{cell_name(path, '1003', MAPPING_ID_COLUMN)}: '3_7781' (Rosa Lee) is a "
        "parent or guardian ID, but Schoology user 1003 is a student. Use an ID "
        "that starts with 1_."
    ]


def test_id_on_two_rows_names_both(report):
    path, stored = report
    edit(
        path,
        {
            ("1003", MAPPING_ID_COLUMN): "1_S88213",
            ("1005", MAPPING_ID_COLUMN): "1_S88213",
        },
    )
    first = cell_name(path, "1003", MAPPING_ID_COLUMN)
    second = cell_name(path, "1005", MAPPING_ID_COLUMN)

    result = run(path, stored)

    assert result_of(result, sid="1003").level == ERROR
    assert result_of(result, sid="1005").level == ERROR
    assert result_of(result, sid="1003").messages == [
        f"{first}: '1_S88213' is also the Integration-Mapping ID at {second}, but "
        "a SIS user can be linked to one Schoology user only. Keep the ID on one "
        "row and clear the others."
    ]
    assert (
        f"also the Integration-Mapping ID at {first}"
        in (result_of(result, sid="1005").messages[0])
    )


def test_id_linked_to_other_user_is_error(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})
    links = {"2_0457": "1002", "1_S88213": "1777"}

    row = result_of(run(path, stored, links=links), sid="1003")

    assert row.level == ERROR
    assert (
        "'1_S88213' is already the Unique ID of Schoology user 1777"
        in (row.messages[0])
    )


def test_scenario_1_changed_id_is_error(report):
    path, stored = report
    edit(path, {("1001", MAPPING_ID_COLUMN): "1_S88213"})

    row = result_of(run(path, stored), sid="1001")

    assert row.level == ERROR
    assert (
        "'1_S88213' differs from this row's SIS Local ID '1_004512'"
        in (row.messages[0])
    )


def test_scenario_1_cleared_id_warns(report):
    path, stored = report
    edit(path, {("1001", MAPPING_ID_COLUMN): None})

    row = result_of(run(path, stored), sid="1001")

    assert row.level == WARNING
    assert row.messages == [
        f"{cell_name(path, '1001', MAPPING_ID_COLUMN)}: the Integration-Mapping ID "
        "was cleared, so Schoology user 1001 will not be linked to SIS user "
        "1_004512. Type '1_004512' again to link them."
    ]


def test_scenario_3_row_with_id_is_error(report):
    path, stored = report
    edit(path, {("1_S88213", MAPPING_ID_COLUMN): "1_S88213"})

    row = result_of(run(path, stored), local_id="1_S88213")

    assert row.level == ERROR
    assert (
        "'1_S88213' is on a scenario 3 row, which has no Schoology user"
        in (row.messages[0])
    )


def test_schoology_user_gone_warns(report):
    path, stored = report
    schoology = {k: v for k, v in SCHOOLOGY.items() if k != "1004"}

    row = result_of(run(path, stored, schoology=schoology), sid="1004")

    assert row.level == WARNING
    assert (
        "Schoology user 1004 is no longer among the current Schoology users"
        in (row.messages[0])
    )


def test_unique_id_changed_warns(report):
    path, stored = report
    schoology = dict(SCHOOLOGY)
    schoology["1003"] = copy.copy(SCHOOLOGY["1003"])
    schoology["1003"].unique_id = "LEGACY-77"

    row = result_of(run(path, stored, schoology=schoology), sid="1003")

    assert row.level == WARNING
    assert (
        "Unique ID of Schoology user 1003 changed from an empty cell to "
        in (row.messages[0])
    )
    assert "'LEGACY-77'" in row.messages[0]


def test_schoology_role_changed_warns(report):
    path, stored = report
    schoology = dict(SCHOOLOGY)
    schoology["1003"] = copy.copy(SCHOOLOGY["1003"])
    schoology["1003"].role = Role.STAFF

    row = result_of(run(path, stored, schoology=schoology), sid="1003")

    assert row.level == WARNING
    assert (
        "Schoology user 1003 was a student when report rpt-0001 was "
        in (row.messages[0])
    )
    assert "is a teacher or staff member now" in row.messages[0]


def test_sis_user_gone_warns(report):
    path, stored = report
    sis = {k: v for k, v in SIS.items() if k != "2_0999"}

    row = result_of(run(path, stored, sis=sis), local_id="2_0999")

    assert row.level == WARNING
    assert (
        "SIS user 2_0999 was in the SIS snapshot when report rpt-0001"
        in (row.messages[0])
    )


def test_sis_role_changed_warns(report):
    path, stored = report
    sis = dict(SIS)
    sis["3_7781"] = copy.copy(SIS["3_7781"])
    sis["3_7781"].role = Role.STUDENT

    row = result_of(run(path, stored, sis=sis), local_id="3_7781")

    assert row.level == WARNING
    assert "SIS user 3_7781 was a parent or guardian when report" in row.messages[0]


def test_to_json_lists_rows_and_totals(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "3_7781"})

    answer = run(path, stored).to_json(include_ok=False)

    assert answer["report_id"] == REPORT_ID
    assert answer["has_errors"] is True
    assert answer["totals"]["error"] == 1
    assert len(answer["rows"]) == 1
    assert answer["rows"][0]["level"] == "error"
    assert answer["rows"][0]["columns"] == [MAPPING_ID_COLUMN]
    assert answer["rows"][0]["row"] == find_row(
        openpyxl.load_workbook(path)["Mapping"], sid="1003"
    )


def test_annotated_copy_has_status_and_marks(report, tmp_path):
    path, stored = report
    edit(
        path,
        {
            ("1003", MAPPING_ID_COLUMN): "3_7781",
            ("1001", MAPPING_ID_COLUMN): None,
            ("1004", "First Name"): "Rosalind",
        },
    )
    uploaded = read_report(path)
    result = validate(uploaded, make_context(stored))
    target = tmp_path / "annotated.xlsx"

    write_annotated(target, uploaded, result)

    ws = openpyxl.load_workbook(target)[layout.MAPPING_SHEET]
    status = column_of("Status")
    mapping = column_of(MAPPING_ID_COLUMN)
    error_row = find_row(ws, sid="1003")
    ok_row = find_row(ws, sid="1002")
    assert ws.cell(error_row, status).value.startswith("Error: Mapping!")
    assert ws.cell(find_row(ws, sid="1001"), status).value.startswith("Warning: ")
    assert ws.cell(ok_row, status).value == "OK"
    assert ws.cell(error_row, mapping).value == "3_7781"
    assert ws.cell(error_row, mapping).fill.fgColor.rgb == MARK_RGB
    assert ws.cell(ok_row, mapping).fill.fill_type is None
    first_name = ws.cell(find_row(ws, sid="1004"), column_of("First Name"))
    assert first_name.value == "Rosalind"
    assert first_name.fill.fgColor.rgb == MARK_RGB


def test_annotated_copy_validates_again(report, tmp_path):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})
    uploaded = read_report(path)
    target = tmp_path / "annotated.xlsx"
    write_annotated(target, uploaded, validate(uploaded, make_context(stored)))

    again = validate(read_report(target), make_context(stored))

    assert again.totals["ok"] == 9
    assert result_of(again, sid="1003").mapping_id == "1_S88213"


def test_annotated_copy_keeps_bad_scenario(report, tmp_path):
    path, stored = report
    edit(path, {("1003", "Scenario"): "x"})
    uploaded = read_report(path)
    result = validate(uploaded, make_context(stored))
    target = tmp_path / "annotated.xlsx"

    write_annotated(target, uploaded, result)

    ws = openpyxl.load_workbook(target)[layout.MAPPING_SHEET]
    scenario = ws.cell(find_row(ws, sid="1003"), column_of("Scenario"))
    assert (
        "Scenario was changed from '2' to 'x'"
        in result_of(result, sid="1003").messages[0]
    )
    assert scenario.value == "x"
    assert scenario.fill.fgColor.rgb == MARK_RGB


def test_annotated_copy_keeps_side_sheets(tmp_path):
    rows = sample_rows()
    rows[2].suggestions = [
        layout.Suggestion("1_S88213", 91, "same last name"),
        layout.Suggestion("1_0088", 40, "same school"),
    ]
    path = tmp_path / "report.xlsx"
    stored = write_sample(path, rows)
    uploaded = read_report(path)
    target = tmp_path / "annotated.xlsx"

    write_annotated(target, uploaded, validate(uploaded, make_context(stored)))

    workbook = openpyxl.load_workbook(target)
    alternates = list(
        workbook[layout.ALTERNATES_SHEET].iter_rows(min_row=2, values_only=True)
    )
    sis_ids = [
        row[0]
        for row in workbook[layout.SIS_USERS_SHEET].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert alternates[0][:3] == ("1003", "1_0088", 40)
    assert sorted(sis_ids) == sorted(SIS)


@pytest.mark.libreoffice
def libreoffice_copy(path, tmp_path):
    """Open the workbook in LibreOffice Calc, headless, and save it as .xlsx."""
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )

    return out / path.name


def test_libreoffice_saved_copy_validates(report, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})
    out = libreoffice_copy(path, tmp_path)

    result = run(out, stored)

    assert result.totals["ok"] == 9
    assert result_of(result, sid="1003").mapping_id == "1_S88213"
    assert result_of(result, sid="1001").mapping_id == "1_004512"


def test_libreoffice_calculated_formula_validates(report, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): '="1_S8"&"8213"'})
    out = libreoffice_copy(path, tmp_path)

    row = result_of(run(out, stored), sid="1003")

    assert row.level == OK
    assert row.mapping_id == "1_S88213"


def test_validate_restores_garbage_collector(report):
    path, stored = report
    assert gc.isenabled()

    run(path, stored)

    assert gc.isenabled()
