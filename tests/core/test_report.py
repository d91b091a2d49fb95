import csv
import re
from datetime import UTC, datetime

import openpyxl
import pytest

from server.core import layout
from server.core.errors import DataPrepError, MatchOptionError
from server.core.model import Export, Role, SchoologyUser, SisUser
from server.core.report import (
    build_report,
    check_output_path,
    output_format,
    read_exports,
    write_outputs,
)


def schoology_user(schoology_id, email, unique_id="") -> SchoologyUser:
    return SchoologyUser(
        line=2,
        schoology_id=schoology_id,
        unique_id=unique_id,
        first_name="Ann",
        middle_name="",
        last_name="Lee",
        username="",
        email=email,
        role=Role.STAFF,
        role_name="Teacher",
    )


def sis_user(key, email, number="") -> SisUser:
    return SisUser(
        line=2,
        source="staff.csv",
        local_id=f"2_{key}",
        sis_key=key,
        number=number,
        first_name="Ann",
        middle_name="",
        last_name="Lee",
        username="",
        email=email,
        role=Role.STAFF,
        role_name="teacher",
    )


@pytest.fixture
def exports():
    schoology = Export(
        side="schoology",
        users=[
            schoology_user("101", "ann@district.example"),
            schoology_user("102", "bo@district.example", unique_id="2_T300"),
            schoology_user("103", "cy@district.example"),
        ],
        files=[("users.csv", "schoology", 3)],
        warnings=["users.csv: line 9 was blank and was skipped."],
    )
    sis = Export(
        side="sis",
        users=[
            sis_user("T100", "ann@district.example"),
            sis_user("T300", "other@district.example"),
            sis_user("T400", "dee@district.example", number="000400"),
        ],
        files=[("staff.csv", "powerschool-staff", 3)],
    )

    return schoology, sis


def test_build_report_rows_and_counts(exports):
    report = build_report(*exports, "email")

    assert report.counts == {1: 2, 2: 1, 3: 1}
    assert [row.scenario for row in report.rows] == [1, 1, 2, 3]
    assert report.rows[0].mapping_id == "2_T100"
    assert report.rows[0].matched_by == "email"
    assert report.rows[1].mapping_id == "2_T300"
    assert report.rows[1].matched_by == "linked"
    assert report.result.already_linked == 1


def test_build_report_meta(exports):
    report = build_report(*exports, "email,unique-id")
    meta = report.meta
    generated = datetime.fromisoformat(meta.generated_at)

    assert re.fullmatch(r"[0-9a-f]{32}", report.report_id)
    assert meta.report_id == report.report_id
    assert meta.mapping_options == ["email", "unique-id"]
    assert meta.sources == [
        ("Schoology", "users.csv", "schoology", 3),
        ("SIS", "staff.csv", "powerschool-staff", 3),
    ]
    assert meta.counts == {1: 2, 2: 1, 3: 1}
    assert generated.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - generated).total_seconds()) < 60
    assert meta.warnings == ["users.csv: line 9 was blank and was skipped."]


def test_option_without_values_rejected(exports):
    with pytest.raises(MatchOptionError) as raised:
        build_report(*exports, "email,username")

    assert str(raised.value) == (
        "users.csv: no user has a username, so the mapping option 'username' "
        "cannot match anyone. Export the users again with that column filled "
        "in, or choose other mapping options."
    )


def test_option_without_sis_values_rejected(exports):
    schoology, sis = exports
    for user in sis.users:
        user.email = ""

    with pytest.raises(MatchOptionError) as raised:
        build_report(schoology, sis, "email")

    assert str(raised.value).startswith(
        "staff.csv: no SIS user has an email, so the mapping option 'email'"
    )


def test_sis_file_without_values_warns(exports):
    schoology, sis = exports
    student = sis_user("S500", "")
    student.source = "students.csv"
    sis.users.append(student)

    report = build_report(schoology, sis, "email")

    assert (
        "students.csv: no user has an email, so the mapping option 'email' "
        "matched none of the users of this file."
    ) in report.warnings


def test_build_report_keeps_given_id(exports):
    report = build_report(*exports, "email", report_id="a" * 32)

    assert report.report_id == "a" * 32
    assert report.meta.report_id == "a" * 32


def test_build_report_reports_phases(exports):
    phases = []

    build_report(*exports, "email", progress=phases.append)

    assert phases == [
        "Matching on email",
        "Matched: scenario 1 2, scenario 2 1, scenario 3 1",
    ]


def test_build_report_warns_on_no_match(exports):
    report = build_report(*exports, "unique-id")

    assert report.counts == {1: 1, 2: 2, 3: 2}
    assert report.warnings[-1] == (
        "No user matched on unique-id. Check that both exports fill the fields"
        " that these mapping options compare, or choose other mapping options."
    )


def test_build_report_warns_on_shared_values():
    schoology = Export(
        side="schoology",
        users=[schoology_user("101", "office@district.example")],
    )
    sis = Export(
        side="sis",
        users=[
            sis_user("T100", "office@district.example"),
            sis_user("T101", "office@district.example"),
        ],
    )

    report = build_report(schoology, sis, "email")

    assert report.warnings[0].startswith(
        "1 Schoology user and 2 SIS users share a matching value"
    )


def test_build_report_rejects_bad_option(exports):
    with pytest.raises(MatchOptionError) as raised:
        build_report(*exports, "email,phone")

    assert "'phone' is not a valid mapping option" in raised.value.message


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("report.txt", "the suffix '.txt'"),
        ("report.xls", "'.xls'"),
        ("report", "no suffix"),
        ("report.xlsx.bak", "'.bak'"),
    ],
)
def test_output_format_rejects_suffix(tmp_path, name, shown):
    with pytest.raises(DataPrepError) as raised:
        output_format(tmp_path / name)

    assert str(tmp_path / name) in raised.value.message
    assert shown in raised.value.message
    assert ".xlsx" in raised.value.message


@pytest.mark.parametrize(
    ("name", "kind"),
    [("r.xlsx", "xlsx"), ("r.XLSX", "xlsx"), ("r.csv", "csv"), ("r.Csv", "csv")],
)
def test_output_format_by_suffix(name, kind):
    assert output_format(name) == kind


def test_write_outputs_bad_suffix_writes_nothing(tmp_path, exports):
    report = build_report(*exports, "email")

    with pytest.raises(DataPrepError):
        write_outputs(report, tmp_path / "report.txt")

    assert list(tmp_path.iterdir()) == []


def test_write_outputs_xlsx(tmp_path, exports):
    report = build_report(*exports, "email")
    target = tmp_path / "report.xlsx"
    calls = []

    written = write_outputs(report, target, progress=lambda n, t: calls.append((n, t)))
    workbook = openpyxl.load_workbook(target)
    sheet = workbook[layout.MAPPING_SHEET]
    header = [cell.value for cell in sheet[layout.HEADER_ROWS]]
    data = [
        [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1)
    ]

    assert written.format == "xlsx"
    assert written.rows == 4
    assert re.fullmatch(r"[0-9a-f]{64}", written.digest)
    assert calls[-1] == (4, 4)
    assert tuple(header[: len(layout.COLUMN_NAMES)]) == layout.COLUMN_NAMES
    assert len(data) == 4
    assert data[0][layout.SCHOOLOGY_ID] == "101"
    assert data[0][layout.MAPPING_ID] == "2_T100"
    assert data[3][layout.COLUMN_INDEX["SIS Number"]] == "000400"


def test_write_outputs_csv(tmp_path, exports):
    report = build_report(*exports, "email")
    target = tmp_path / "report.csv"
    calls = []

    written = write_outputs(report, target, progress=lambda n, t: calls.append((n, t)))
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert written.format == "csv"
    assert written.rows == 4
    assert written.digest is None
    assert calls == [(4, 4)]
    assert [row["Scenario"] for row in rows] == ["1", "1", "2", "3"]
    assert rows[1]["Integration-Mapping ID"] == "2_T300"
    assert rows[3]["SIS Number"] == "000400"


def test_read_exports_examples(examples_dir):
    phases = []

    schoology, sis = read_exports(
        examples_dir / "schoology" / "users.csv",
        [examples_dir / "oneroster"],
        progress=phases.append,
    )

    assert schoology.side == "schoology"
    assert sis.side == "sis"
    assert len(schoology.users) == 46
    assert len(sis.users) == 47
    assert phases == ["Read 46 Schoology users", "Read 47 SIS users from 2 files"]


def test_build_report_examples(examples_dir):
    schoology, sis = read_exports(
        examples_dir / "schoology" / "users.csv", [examples_dir / "oneroster"]
    )

    report = build_report(schoology, sis, "unique-id,email,name")
    linked = [row for row in report.rows if row.matched_by == "linked"]
    notes = {
        row.schoology.schoology_id: row.note for row in report.rows if row.schoology
    }

    assert report.counts == {1: 38, 2: 8, 3: 9}
    assert report.result.option_counts == {
        "linked": 1,
        "unique-id": 21,
        "email": 16,
        "name": 0,
    }
    assert [(row.schoology.schoology_id, row.mapping_id) for row in linked] == [
        ("104857301", "1_S88213")
    ]
    assert notes["104857404"].startswith(
        "email shared by 2 Schoology users: 104857404, 104857405 and 1 SIS user:"
        " 2_T1045"
    )


@pytest.mark.parametrize("name", ["report.xlsx", "report.csv"])
def test_write_outputs_missing_folder(tmp_path, exports, name):
    report = build_report(*exports, "email")
    target = tmp_path / "missing" / name

    with pytest.raises(DataPrepError) as raised:
        write_outputs(report, target)

    assert raised.value.message == (
        f"{target}: the folder {tmp_path / 'missing'} does not exist. Create it"
        " first, or choose an output file in a folder that exists."
    )


def test_check_output_path_rejects_folder(tmp_path):
    folder = tmp_path / "reports.xlsx"
    folder.mkdir()

    with pytest.raises(DataPrepError) as raised:
        check_output_path(folder)

    assert raised.value.message.startswith(f"{folder} is a folder.")


def test_check_output_path_rejects_input_file(tmp_path):
    folder = tmp_path / "oneroster"
    folder.mkdir()
    users = folder / "users.csv"
    users.write_text("sourcedId\n", encoding="utf-8")

    with pytest.raises(DataPrepError) as raised:
        check_output_path(users, [("the SIS export", folder)])

    assert raised.value.message == (
        f"{users}: the output file is users.csv in the SIS export, so writing the"
        " report would overwrite that export. Choose another output file."
    )


def test_check_output_path_allows_new_file_beside_input(tmp_path):
    users = tmp_path / "users.csv"
    users.write_text("sourcedId\n", encoding="utf-8")

    kind = check_output_path(tmp_path / "report.csv", [("the SIS export", users)])

    assert kind == "csv"
