"""Validate, Submit and accept-suggestions through the add-in's HTTP endpoints.

Every payload comes from a report that the server generated, edited with
openpyxl as a user would edit it, and converted into the add-in client's JSON.
"""

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from server.addin.commands import MAX_GAP_ROWS, mapping_id_runs
from server.addin.verdicts import MARK_COLOR
from server.core import layout
from server.db import get_session
from server.models import SchoologyAccount, UpdateBatch
from tests.addin.conftest import (
    STUDENT_ROW,
    TEACHER_ROW,
    edit_report,
    payload_from_workbook,
)
from tests.server.test_validation import UNKNOWN_REPORT, with_report_id

STATUS_COLUMN = layout.STATUS
MAPPING_COLUMN = layout.MAPPING_ID


def apply_values(payload: dict, response: dict) -> dict[str, list[list]]:
    """Apply the response's setValues actions to the payload's values.

    A None value leaves its cell unchanged, as null does in Office.js.
    """
    grids = {
        sheet["name"]: [list(row) for row in sheet["values"]]
        for sheet in payload["sheets"]
    }
    names = [sheet["name"] for sheet in payload["sheets"]]
    for action in response["actions"]:
        if action["func"] != "setValues":
            continue

        grid = grids[names[action["sheet_position"]]]
        for i, row_values in enumerate(action["values"]):
            row = action["start_row"] + i
            while len(grid) <= row:
                grid.append([])
            for j, value in enumerate(row_values):
                if value is None:
                    continue
                column = action["start_column"] + j
                line = grid[row]
                line.extend([""] * (column + 1 - len(line)))
                line[column] = value

    return grids


def apply_to_payload(payload: dict, response: dict) -> None:
    """Write the response's values into the payload, as the add-in writes them."""
    grids = apply_values(payload, response)
    for sheet in payload["sheets"]:
        sheet["values"] = grids[sheet["name"]]


def statuses(payload: dict, response: dict) -> dict[str, str]:
    """Map each Schoology User ID or SIS Local ID to its row's Status."""
    grid = apply_values(payload, response)[layout.MAPPING_SHEET]
    result = {}
    for row in grid[layout.HEADER_ROWS :]:
        key = row[layout.SCHOOLOGY_ID] or row[layout.SIS_LOCAL_ID]
        result[str(key)] = row[STATUS_COLUMN]

    return result


def alerts(response: dict) -> list[str]:
    return [a["args"][0] for a in response["actions"] if a["func"] == "alert"]


def marked_cells(response: dict) -> set[tuple[int, int]]:
    return {
        (a["start_row"], a["start_column"])
        for a in response["actions"]
        if a["func"] == "setRangeColor" and a["args"][0] == MARK_COLOR
    }


def excel_row(data: bytes, schoology_id: str) -> int:
    """Find the 1-based Excel row of a Schoology user on the Mapping sheet."""
    sheet = openpyxl.load_workbook(io.BytesIO(data))[layout.MAPPING_SHEET]
    for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if row[layout.SCHOOLOGY_ID] == schoology_id:
            return index

    raise AssertionError(f"Schoology user {schoology_id} is not in the report.")


MISTAKES = {
    # A teacher's local ID on a student row, an unknown ID, an ID used twice.
    STUDENT_ROW[0]: TEACHER_ROW[1],
    TEACHER_ROW[0]: "2_UNKNOWN9",
}


@pytest.fixture
def mistaken_workbook(report_bytes) -> bytes:
    return edit_report(report_bytes, MISTAKES)


def unique_ids(app) -> dict[str, str]:
    with app.app_context():
        rows = get_session().execute(
            select(SchoologyAccount.schoology_id, SchoologyAccount.unique_id)
        )
        return dict(rows.all())


def batch_count(app) -> int:
    with app.app_context():
        return len(get_session().scalars(select(UpdateBatch)).all())


def test_validate_clean_report_all_ok(client, viewer_headers, report_bytes):
    payload = payload_from_workbook(report_bytes)
    response = client.post("/addin/validate", json=payload, headers=viewer_headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body["counts"]["error"] == 0
    assert body["first_error"] is None
    assert set(statuses(payload, body).values()) == {"OK"}
    assert marked_cells(body) == set()
    assert "0 with errors" in alerts(body)[0]


@pytest.mark.parametrize("route", ["validate", "submit", "submit?confirm=0"])
def test_unknown_report_mapping_unread(client, admin_headers, report_bytes, route):
    payload = payload_from_workbook(with_report_id(report_bytes, UNKNOWN_REPORT))
    for sheet in payload["sheets"]:
        if sheet["name"] == layout.MAPPING_SHEET:
            sheet["values"] = [["garbage"]]
    response = client.post(f"/addin/{route}", json=payload, headers=admin_headers)

    assert response.status_code == 404, response.json
    assert response.json["error"] == "report_not_found"
    assert (
        f"is report {UNKNOWN_REPORT}, which this server has no record of"
        in (response.json["message"])
    )


def test_validate_mistakes_marks_cells(client, viewer_headers, mistaken_workbook):
    payload = payload_from_workbook(mistaken_workbook)
    response = client.post("/addin/validate", json=payload, headers=viewer_headers)
    body = response.json
    found = statuses(payload, body)
    student_row = excel_row(mistaken_workbook, STUDENT_ROW[0])
    teacher_row = excel_row(mistaken_workbook, TEACHER_ROW[0])

    assert response.status_code == 200
    assert body["counts"]["error"] == 2
    assert found[STUDENT_ROW[0]].startswith("Error: ")
    assert TEACHER_ROW[1] in found[STUDENT_ROW[0]]
    assert found[TEACHER_ROW[0]].startswith("Error: ")
    assert "2_UNKNOWN9" in found[TEACHER_ROW[0]]
    assert (student_row - 1, MAPPING_COLUMN) in marked_cells(body)
    assert (teacher_row - 1, MAPPING_COLUMN) in marked_cells(body)
    first = min(student_row, teacher_row)
    assert body["first_error"] == f"Mapping!W{first}"
    assert f"The first error is in Mapping!W{first}" in alerts(body)[0]
    assert "2 with errors" in alerts(body)[0]


def test_validate_selects_first_error(client, viewer_headers, mistaken_workbook):
    payload = payload_from_workbook(mistaken_workbook)
    body = client.post("/addin/validate", json=payload, headers=viewer_headers).json
    selects = [a for a in body["actions"] if a["func"] == "rangeSelect"]
    first = min(
        excel_row(mistaken_workbook, STUDENT_ROW[0]),
        excel_row(mistaken_workbook, TEACHER_ROW[0]),
    )

    assert len(selects) == 1
    assert selects[0]["start_row"] == first - 1
    assert selects[0]["start_column"] == MAPPING_COLUMN


def test_validate_clears_old_marks(client, viewer_headers, mistaken_workbook):
    payload = payload_from_workbook(mistaken_workbook)
    body = client.post("/addin/validate", json=payload, headers=viewer_headers).json
    clears = [
        a
        for a in body["actions"]
        if a["func"] == "setRangeColor" and a["args"] == [None]
    ]
    first_mark = next(
        i
        for i, a in enumerate(body["actions"])
        if a["func"] == "setRangeColor" and a["args"][0] == MARK_COLOR
    )

    assert len(clears) == 1
    assert clears[0]["start_row"] == layout.HEADER_ROWS
    assert clears[0]["column_count"] == len(layout.COLUMNS)
    assert body["actions"].index(clears[0]) < first_mark


def edit_mapping(data: bytes, change) -> bytes:
    """Apply ``change`` to the Mapping sheet of a report and save it with openpyxl."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    change(workbook[layout.MAPPING_SHEET])
    buffer = io.BytesIO()
    workbook.save(buffer)

    return buffer.getvalue()


def row_of(sheet, schoology_id: str) -> tuple:
    for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1):
        if row[layout.SCHOOLOGY_ID].value == schoology_id:
            return row

    raise AssertionError(f"Schoology user {schoology_id} is not in the report.")


def set_cell(schoology_id: str, column: str, value):
    """Return an edit that sets one cell of a user's row."""

    def change(sheet):
        row_of(sheet, schoology_id)[layout.COLUMN_INDEX[column]].value = value

    return change


def type_status_everywhere(sheet):
    for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1):
        row[layout.STATUS].value = "Error: typed by the user"


def delete_row(schoology_id: str):
    def change(sheet):
        sheet.delete_rows(row_of(sheet, schoology_id)[0].row)

    return change


def reverse_rows(sheet):
    rows = [
        [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1)
    ]
    for excel_row, values in enumerate(reversed(rows), start=layout.HEADER_ROWS + 1):
        for column, value in enumerate(values, start=1):
            sheet.cell(excel_row, column).value = value


# An invented Schoology user that the stored report does not have.
INSERTED_USER = ("999999901", "Quentin", "Inserted")


def insert_row(sheet):
    excel_row = layout.HEADER_ROWS + 5
    sheet.insert_rows(excel_row)
    schoology_id, first, last = INSERTED_USER
    sheet.cell(excel_row, layout.SCHOOLOGY_ID + 1).value = schoology_id
    sheet.cell(excel_row, layout.COLUMN_INDEX["First Name"] + 1).value = first
    sheet.cell(excel_row, layout.COLUMN_INDEX["Last Name"] + 1).value = last
    sheet.cell(excel_row, layout.MAPPING_ID + 1).value = "1_S88317"


def with_cached_formula(data: bytes, schoology_id: str, value: str) -> bytes:
    """Put a formula that returns ``value`` into a user's Integration-Mapping ID.

    openpyxl saves a formula without its result, so this adds the cached
    string result to the cell's XML, as Excel saves it. The web upload and the
    add-in's payload both read that result.
    """
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[layout.MAPPING_SHEET]
    cell = row_of(sheet, schoology_id)[MAPPING_COLUMN]
    cell.value = f'="{value}"'
    # openpyxl names the sheet parts sheet1.xml, sheet2.xml and so on, in
    # workbook order.
    part = f"xl/worksheets/sheet{workbook.sheetnames.index(sheet.title) + 1}.xml"
    buffer = io.BytesIO()
    workbook.save(buffer)

    written = f'<c r="{cell.coordinate}"><f>"{value}"</f><v></v></c>'
    cached = f'<c r="{cell.coordinate}" t="str"><f>"{value}"</f><v>{value}</v></c>'
    output = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                xml = content.decode("utf-8")
                assert xml.count(written) == 1, "openpyxl wrote the cell otherwise"
                content = xml.replace(written, cached).encode("utf-8")
            target.writestr(item, content)

    return output.getvalue()


# The example district's first scenario 1 row.
LINKED_USER = "104857301"


@dataclass(frozen=True)
class VerdictCase:
    """An edit of the example report and the verdict expected for its row.

    ``key`` is the Schoology User ID of the edited row and ``level`` the
    level its Status must have, or None when the edit removed the row and a
    note must name it. ``fragment`` is part of that Status or note.
    ``errors`` and ``warnings`` count the rows with each level.
    """

    edit: Callable[[bytes], bytes]
    key: str
    level: str | None
    fragment: str = ""
    errors: int = 0
    warnings: int = 0


def map_id(schoology_id: str, value):
    """Return an edit that sets a user's Integration-Mapping ID."""
    return lambda data: edit_mapping(
        data, set_cell(schoology_id, "Integration-Mapping ID", value)
    )


VERDICT_CASES = [
    pytest.param(
        VerdictCase(
            lambda data: edit_report(data, MISTAKES),
            STUDENT_ROW[0],
            "error",
            "is a teacher or staff ID",
            errors=2,
        ),
        id="mistakes",
    ),
    pytest.param(
        VerdictCase(
            lambda data: edit_mapping(
                edit_report(data, dict([STUDENT_ROW])), type_status_everywhere
            ),
            STUDENT_ROW[0],
            "ok",
        ),
        id="status-typed",
    ),
    pytest.param(
        VerdictCase(
            map_id(STUDENT_ROW[0], 88306),
            STUDENT_ROW[0],
            "error",
            "'88306' is stored as a number",
            errors=1,
        ),
        id="number-id",
    ),
    pytest.param(
        VerdictCase(
            map_id(STUDENT_ROW[0], f"  {STUDENT_ROW[1]} "), STUDENT_ROW[0], "ok"
        ),
        id="spaced-id",
    ),
    pytest.param(
        VerdictCase(
            lambda data: edit_mapping(
                data, set_cell(STUDENT_ROW[0], "First Name", "Zed")
            ),
            STUDENT_ROW[0],
            "error",
            "First Name was changed",
            errors=1,
        ),
        id="locked-cell",
    ),
    pytest.param(
        VerdictCase(
            lambda data: edit_mapping(
                data, set_cell(TEACHER_ROW[0], "Suggestion Score", 12)
            ),
            TEACHER_ROW[0],
            "error",
            "Suggestion Score was changed",
            errors=1,
        ),
        id="suggestion-score",
    ),
    pytest.param(
        VerdictCase(
            lambda data: edit_mapping(data, delete_row(STUDENT_ROW[0])),
            STUDENT_ROW[0],
            None,
            f"Schoology user {STUDENT_ROW[0]} is missing from the workbook",
        ),
        id="deleted-row",
    ),
    pytest.param(
        VerdictCase(
            lambda data: edit_mapping(edit_report(data, MISTAKES), reverse_rows),
            STUDENT_ROW[0],
            "error",
            "is a teacher or staff ID",
            errors=2,
        ),
        id="reversed-rows",
    ),
    pytest.param(
        VerdictCase(
            lambda data: edit_mapping(data, insert_row),
            INSERTED_USER[0],
            "error",
            "is not in report",
            errors=1,
        ),
        id="inserted-row",
    ),
    pytest.param(
        VerdictCase(
            lambda data: with_cached_formula(data, STUDENT_ROW[0], STUDENT_ROW[1]),
            STUDENT_ROW[0],
            "ok",
        ),
        id="formula-id",
    ),
    pytest.param(
        VerdictCase(
            map_id(LINKED_USER, None),
            LINKED_USER,
            "warning",
            "the Integration-Mapping ID was cleared",
            warnings=1,
        ),
        id="warning-only",
    ),
]


def web_status(row: dict) -> str:
    """Return the Status text that the add-in writes for a row of the web result."""
    if row["level"] == "ok":
        return "OK"

    return f"{row['level'].capitalize()}: {' '.join(row['messages'])}"


@pytest.mark.parametrize("case", VERDICT_CASES)
def test_web_and_addin_verdicts_match(client, viewer_headers, report_bytes, case):
    data = case.edit(report_bytes)
    web = client.post(
        "/api/validate?all=1",
        data={"file": (io.BytesIO(data), "report.xlsx")},
        headers=viewer_headers,
    ).json
    payload = payload_from_workbook(data)
    response = client.post("/addin/validate", json=payload, headers=viewer_headers)
    addin = response.json
    grid = apply_values(payload, addin)[layout.MAPPING_SHEET]
    found = statuses(payload, addin)
    marks = marked_cells(addin)

    assert response.status_code == 200, addin
    assert web["totals"] == addin["counts"]
    assert len(web["rows"]) == web["totals"]["rows"]
    for row in web["rows"]:
        assert grid[row["row"] - 1][STATUS_COLUMN] == web_status(row), row
        for column in row["columns"]:
            assert (row["row"] - 1, layout.COLUMN_INDEX[column]) in marks, row
    for note in web["notes"][:3]:
        assert note in alerts(addin)[0]

    assert addin["counts"]["error"] == case.errors
    assert addin["counts"]["warning"] == case.warnings
    if case.level is None:
        assert case.key not in found
        assert any(case.fragment in note for note in web["notes"])
    elif case.level == "ok":
        assert found[case.key] == "OK"
    else:
        assert found[case.key].startswith(f"{case.level.capitalize()}: ")
        assert case.fragment in found[case.key]


@pytest.mark.database
def test_submit_viewer_token_rejected(app, client, viewer_headers, report_bytes):
    edited = edit_report(report_bytes, dict([STUDENT_ROW, TEACHER_ROW]))
    before = unique_ids(app)
    response = client.post(
        "/addin/submit", json=payload_from_workbook(edited), headers=viewer_headers
    )

    assert response.status_code == 403
    assert "admin" in response.json["message"]
    assert unique_ids(app) == before
    assert batch_count(app) == 0


@pytest.mark.database
def test_submit_with_errors_changes_nothing(
    app, client, admin_headers, mistaken_workbook
):
    before = unique_ids(app)
    payload = payload_from_workbook(mistaken_workbook)
    response = client.post("/addin/submit", json=payload, headers=admin_headers)
    body = response.json

    assert response.status_code == 200
    assert body["preview"] is None
    assert body["counts"]["error"] == 2
    assert statuses(payload, body)[STUDENT_ROW[0]].startswith("Error: ")
    assert "nothing changed in Schoology" in alerts(body)[0]
    assert unique_ids(app) == before
    assert batch_count(app) == 0


@pytest.mark.database
def test_submit_preview_then_confirm(app, client, admin_headers, report_bytes):
    edited = edit_report(report_bytes, dict([STUDENT_ROW, TEACHER_ROW]))
    web = client.post(
        "/api/updates/preview",
        data={"file": (io.BytesIO(edited), "report.xlsx")},
        headers=admin_headers,
    ).json
    changes = len(web["plan"]["changes"])
    payload = payload_from_workbook(edited)
    first = client.post("/addin/submit", json=payload, headers=admin_headers).json

    assert first["preview"]["changes"] == changes
    assert first["preview"]["totals"] == web["plan"]["totals"]
    confirm = [a for a in first["actions"] if a["func"] == "alert"][0]
    assert confirm["args"][2] == "ok_cancel"
    assert confirm["args"][4] == "confirmSubmit"
    assert f"set the Unique ID of {changes} Schoology users" in confirm["args"][0]
    assert unique_ids(app)[STUDENT_ROW[0]] != STUDENT_ROW[1]

    # The add-in applies the preview's statuses, then sends the workbook again.
    second_payload = payload_from_workbook(edited)
    for sheet in second_payload["sheets"]:
        sheet["values"] = apply_values(payload, first)[sheet["name"]]
    second = client.post(
        f"/addin/submit?confirm={first['preview']['digest']}",
        json=second_payload,
        headers=admin_headers,
    )
    body = second.json
    found = statuses(second_payload, body)

    assert second.status_code == 200, body
    assert body["batch"]["change_count"] == changes
    assert found[STUDENT_ROW[0]].startswith(f"Updated in batch {body['batch']['id']}")
    assert found[TEACHER_ROW[0]].endswith(f"-> {TEACHER_ROW[1]}.")
    assert unique_ids(app)[STUDENT_ROW[0]] == STUDENT_ROW[1]
    assert unique_ids(app)[TEACHER_ROW[0]] == TEACHER_ROW[1]
    assert f"in batch {body['batch']['id']}" in alerts(body)[0]


# The Status of a row that Update Users changed: the batch, its time in UTC to
# the second, and the Unique ID before and after.
UPDATED_STATUS = re.compile(
    r"Updated in batch (?P<batch>\d+) at "
    r"(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC: "
    r"Unique ID (?P<before>.+) -> (?P<after>\S+)\."
)


@pytest.mark.database
def test_submit_status_has_batch_and_time(app, client, admin_headers, report_bytes):
    edited = edit_report(report_bytes, dict([STUDENT_ROW]))
    payload = payload_from_workbook(edited)
    preview = client.post("/addin/submit", json=payload, headers=admin_headers).json
    apply_to_payload(payload, preview)
    started = datetime.now(UTC).replace(microsecond=0)
    response = client.post(
        f"/addin/submit?confirm={preview['preview']['digest']}",
        json=payload,
        headers=admin_headers,
    )
    finished = datetime.now(UTC)
    batch = response.json["batch"]
    created = datetime.fromisoformat(batch["created_at"]).astimezone(UTC)
    status = statuses(payload, response.json)[STUDENT_ROW[0]]
    match = UPDATED_STATUS.fullmatch(status)

    assert response.status_code == 200, response.json
    assert match is not None, status
    assert int(match["batch"]) == batch["id"]
    assert match["time"] == created.strftime("%Y-%m-%d %H:%M:%S")
    stamped = datetime.strptime(match["time"], "%Y-%m-%d %H:%M:%S")
    assert started <= stamped.replace(tzinfo=UTC) <= finished
    assert match["after"] == STUDENT_ROW[1]
    assert f"in batch {batch['id']} at {match['time']} UTC." in alerts(response.json)[0]


@pytest.mark.database
def test_confirm_after_edit_is_rejected(app, client, admin_headers, report_bytes):
    edited = edit_report(report_bytes, dict([STUDENT_ROW]))
    first = client.post(
        "/addin/submit", json=payload_from_workbook(edited), headers=admin_headers
    ).json
    changed = edit_report(edited, dict([TEACHER_ROW]))
    before = unique_ids(app)
    response = client.post(
        f"/addin/submit?confirm={first['preview']['digest']}",
        json=payload_from_workbook(changed),
        headers=admin_headers,
    )

    assert response.status_code == 409
    assert "changed since the preview" in response.json["message"]
    assert unique_ids(app) == before
    assert batch_count(app) == 0


@pytest.mark.database
def test_second_confirm_changes_nothing(app, client, admin_headers, report_bytes):
    edited = edit_report(report_bytes, dict([STUDENT_ROW]))
    payload = payload_from_workbook(edited)
    first = client.post("/addin/submit", json=payload, headers=admin_headers).json
    url = f"/addin/submit?confirm={first['preview']['digest']}"
    client.post(url, json=payload, headers=admin_headers)
    again = client.post(url, json=payload, headers=admin_headers)

    assert again.status_code == 200
    assert again.json["batch"] is None
    assert "applied already" in again.json["message"]
    assert batch_count(app) == 1


def suggest(data: bytes, suggestions: dict[str, tuple[str, int]]) -> bytes:
    """Replace the report's suggestions with the given ones, keyed by user."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[layout.MAPPING_SHEET]
    suggested = layout.COLUMN_INDEX["Suggested Local ID"]
    score = layout.COLUMN_INDEX["Suggestion Score"]
    for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1):
        local_id, points = suggestions.get(row[layout.SCHOOLOGY_ID].value, (None, None))
        row[suggested].value = local_id
        row[score].value = points
    buffer = io.BytesIO()
    workbook.save(buffer)

    return buffer.getvalue()


def test_accept_suggestions_fills_ids(client, viewer_headers, report_bytes):
    data = suggest(
        report_bytes,
        {STUDENT_ROW[0]: (STUDENT_ROW[1], 95), TEACHER_ROW[0]: (TEACHER_ROW[1], 60)},
    )
    payload = payload_from_workbook(data)
    response = client.post(
        "/addin/accept-suggestions?min_score=90", json=payload, headers=viewer_headers
    )
    body = response.json
    writes = [a for a in body["actions"] if a["func"] == "setValues"]
    found = {
        str(row[layout.SCHOOLOGY_ID]): row[MAPPING_COLUMN]
        for row in apply_values(payload, body)[layout.MAPPING_SHEET]
    }

    assert response.status_code == 200
    assert body["accepted"] == 1
    assert len(writes) == 1
    assert writes[0]["start_column"] == MAPPING_COLUMN
    assert writes[0]["start_row"] == excel_row(data, STUDENT_ROW[0]) - 1
    assert found[STUDENT_ROW[0]] == STUDENT_ROW[1]
    assert found[TEACHER_ROW[0]] == ""
    assert "Filled 1 Integration-Mapping ID with" in body["message"]


def test_accept_suggestions_one_action(client, viewer_headers, report_bytes):
    # Scenario 2 rows of the example district and unused scenario 3 IDs. The
    # second row scores too low, so the write has a gap there.
    suggestions = {
        STUDENT_ROW[0]: (STUDENT_ROW[1], 95),
        "104857325": ("1_S88317", 60),
        TEACHER_ROW[0]: (TEACHER_ROW[1], 93),
        "104857403": ("2_T1044", 99),
        "104857411": ("2_T1050", 90),
        "104857510": ("3_P2210", 91),
    }
    data = suggest(report_bytes, suggestions)
    payload = payload_from_workbook(data)
    body = client.post(
        "/addin/accept-suggestions?min_score=90", json=payload, headers=viewer_headers
    ).json
    writes = [a for a in body["actions"] if a["func"] == "setValues"]
    rows = {key: excel_row(data, key) for key in suggestions}
    first = min(rows.values())
    expected = [[None] for _ in range(max(rows.values()) - first + 1)]
    for key, (local_id, score) in suggestions.items():
        if score >= 90:
            expected[rows[key] - first] = [local_id]
    found = {
        str(row[layout.SCHOOLOGY_ID]): row[MAPPING_COLUMN]
        for row in apply_values(payload, body)[layout.MAPPING_SHEET]
    }

    assert body["accepted"] == 5
    assert len(writes) == 1
    assert writes[0]["start_row"] == first - 1
    assert writes[0]["values"] == expected
    assert found["104857325"] == ""
    assert found["104857411"] == "2_T1050"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ({5: "a"}, [(5, ["a"])]),
        ({5: "a", 6: "b"}, [(5, ["a", "b"])]),
        ({5: "a", 8: "b"}, [(5, ["a", None, None, "b"])]),
        (
            {5: "a", 5 + MAX_GAP_ROWS + 1: "b"},
            [(5, ["a", *[None] * MAX_GAP_ROWS, "b"])],
        ),
        (
            {5: "a", 5 + MAX_GAP_ROWS + 2: "b"},
            [(5, ["a"]), (5 + MAX_GAP_ROWS + 2, ["b"])],
        ),
        ({9: "b", 3: "a"}, [(3, ["a", None, None, None, None, None, "b"])]),
    ],
)
def test_mapping_id_runs(rows, expected):
    assert mapping_id_runs(rows) == expected


@pytest.mark.parametrize("min_score", ["", "abc", "101"])
def test_accept_suggestions_bad_score(client, viewer_headers, report_bytes, min_score):
    response = client.post(
        f"/addin/accept-suggestions?min_score={min_score}",
        json=payload_from_workbook(report_bytes),
        headers=viewer_headers,
    )

    assert response.status_code == 400
    assert "Minimum suggestion score" in response.json["message"]


# At a minimum score of 90, "accept suggestions" fills two teachers' rows of
# the example report. The two other suggestions score 89 and share a SIS user.
ACCEPTED_AT_90 = {"104857402": "2_T1043", "104857403": "2_T1044"}


def mapping_ids(data: bytes) -> dict[str, str]:
    """Map each Schoology User ID to its row's Integration-Mapping ID, if any."""
    sheet = openpyxl.load_workbook(io.BytesIO(data))[layout.MAPPING_SHEET]
    found = {}
    for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1, values_only=True):
        if row[layout.SCHOOLOGY_ID] and row[MAPPING_COLUMN]:
            found[row[layout.SCHOOLOGY_ID]] = row[MAPPING_COLUMN]

    return found


def scenario_2_users(data: bytes) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[layout.MAPPING_SHEET]

    return {
        row[layout.SCHOOLOGY_ID]
        for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1, values_only=True)
        if row[layout.SCENARIO] == 2
    }


def expected_changes(data: bytes, before: dict[str, str]) -> dict[str, str]:
    """Return the Unique IDs that Update Users sets for a report and the accepted IDs.

    A Schoology user gets the ID of its row when the user's Unique ID before
    the batch differs from it.
    """
    mapped = {**mapping_ids(data), **ACCEPTED_AT_90}

    return {key: value for key, value in mapped.items() if before[key] != value}


def changed_ids(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in after.items() if before.get(key) != value}


@pytest.mark.database
def test_accepted_suggestions_submitted(app, client, admin_headers, report_bytes):
    before = unique_ids(app)
    payload = payload_from_workbook(report_bytes)
    accepted = client.post(
        "/addin/accept-suggestions?min_score=90", json=payload, headers=admin_headers
    ).json
    apply_to_payload(payload, accepted)
    preview = client.post("/addin/submit", json=payload, headers=admin_headers).json
    # The add-in writes the preview's statuses, then sends the workbook again.
    apply_to_payload(payload, preview)
    response = client.post(
        f"/addin/submit?confirm={preview['preview']['digest']}",
        json=payload,
        headers=admin_headers,
    )
    after = unique_ids(app)
    expected = expected_changes(report_bytes, before)
    not_accepted = scenario_2_users(report_bytes) - ACCEPTED_AT_90.keys()

    assert accepted["accepted"] == len(ACCEPTED_AT_90)
    assert preview["counts"]["error"] == 0
    assert preview["preview"]["changes"] == len(expected)
    assert response.status_code == 200, response.json
    assert response.json["batch"]["change_count"] == len(expected)
    for schoology_id, local_id in ACCEPTED_AT_90.items():
        assert before[schoology_id] != local_id
        assert after[schoology_id] == local_id
    assert changed_ids(before, after) == expected
    assert len(not_accepted) == 6
    for schoology_id in not_accepted:
        assert after[schoology_id] == before[schoology_id]
    assert after.keys() == before.keys()


def test_library_lists_templates_and_reports(client, viewer_headers, report):
    body = client.get("/addin/library", headers=viewer_headers).json
    names = [template["name"] for template in body["templates"]]

    assert "user-mapping-report.xlsx" in names
    assert body["reports"][0]["id"] == report["id"]
    assert (
        body["reports"][0]["xlsx_url"] == f"/api/reports/{report['id']}/download/xlsx"
    )


def test_report_download_needs_token(client, viewer_headers, report):
    url = client.get("/addin/library", headers=viewer_headers).json["reports"][0][
        "xlsx_url"
    ]
    anonymous = client.get(url, headers={"Accept": "application/json"})
    signed_in = client.get(url, headers=viewer_headers)
    data = signed_in.data
    signed_in.close()

    assert anonymous.status_code == 401
    assert signed_in.status_code == 200
    assert data.startswith(b"PK")
