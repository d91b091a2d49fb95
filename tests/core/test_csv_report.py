import csv

import pytest

from server.core import layout
from server.core.csv_report import guard_cell, iter_csv, write_csv
from server.core.errors import DataPrepError
from server.core.layout import ReportRow
from server.core.model import Role, SchoologyUser, SisUser


def schoology_user(**fields) -> SchoologyUser:
    values = {
        "line": 2,
        "schoology_id": "5501",
        "unique_id": "",
        "first_name": "Ann",
        "middle_name": "",
        "last_name": "Lee",
        "username": "alee",
        "email": "ann.lee@district.example",
        "role": Role.STUDENT,
        "role_name": "Student",
    }
    values.update(fields)

    return SchoologyUser(**values)


def sis_user(**fields) -> SisUser:
    values = {
        "line": 2,
        "source": "students.csv",
        "local_id": "1_004512",
        "sis_key": "004512",
        "number": "004512",
        "first_name": "Ann",
        "middle_name": "",
        "last_name": "Lee",
        "username": "alee",
        "email": "ann.lee@district.example",
        "role": Role.STUDENT,
        "role_name": "student",
    }
    values.update(fields)

    return SisUser(**values)


def read_back(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_write_csv_header_and_bom(tmp_path):
    target = tmp_path / "report.csv"

    written = write_csv(target, [ReportRow(scenario=2, schoology=schoology_user())])

    assert written == 1
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == layout.COLUMN_NAMES


def test_write_csv_row_values(tmp_path):
    target = tmp_path / "report.csv"
    user = schoology_user()
    person = sis_user()
    row = ReportRow(
        scenario=1,
        schoology=user,
        sis=person,
        mapping_id=person.local_id,
        matched_by="email",
        schoology_value=user.email,
        sis_value=person.email,
        note="Matched by email",
    )

    write_csv(target, [row, ReportRow(scenario=3, sis=sis_user(local_id="1_9"))])
    first, second = read_back(target)

    assert first["Schoology User ID"] == "5501"
    assert first["SIS Local ID"] == "1_004512"
    assert first["Integration-Mapping ID"] == "1_004512"
    assert first["Scenario"] == "1"
    assert first["Schoology Matching"] == "ann.lee@district.example"
    assert first["Match Note"] == "Matched by email"
    assert second["Schoology User ID"] == ""
    assert second["SIS Local ID"] == "1_9"
    assert second["Scenario"] == "3"


def test_write_csv_keeps_id_digits(tmp_path):
    target = tmp_path / "report.csv"
    long_id = "12345678901234567"
    row = ReportRow(
        scenario=1,
        schoology=schoology_user(schoology_id=long_id, unique_id="000123"),
        sis=sis_user(local_id="1_000123", number="000123"),
        mapping_id="1_000123",
    )

    write_csv(target, [row])
    (values,) = read_back(target)

    assert values["Schoology User ID"] == long_id
    assert values["User Unique ID"] == "000123"
    assert values["SIS Number"] == "000123"
    assert values["SIS Local ID"] == "1_000123"
    assert values["Integration-Mapping ID"] == "1_000123"
    assert f"\r\n{long_id}," in target.read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://127.0.0.1/","x")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_write_csv_guards_formulas(tmp_path, value):
    target = tmp_path / "report.csv"
    row = ReportRow(
        scenario=2,
        schoology=schoology_user(first_name=value, email=value),
        note=value,
    )

    write_csv(target, [row])
    (values,) = read_back(target)

    assert values["First Name"] == "'" + value
    assert values["E-mail"] == "'" + value
    assert values["Match Note"] == "'" + value


@pytest.mark.parametrize("value", ["Ann-Marie", "a=b", "o'brien@district.example"])
def test_guard_cell_leaves_plain_text(value):
    assert guard_cell(value) == value


def test_guard_cell_leaves_numbers():
    assert guard_cell(-3) == -3
    assert guard_cell(None) is None


def test_iter_csv_streams_rows():
    consumed = []

    def rows():
        for n in range(3):
            consumed.append(n)
            yield ReportRow(scenario=2, schoology=schoology_user(schoology_id=str(n)))

    chunks = iter_csv(rows())
    header = next(chunks)
    first_row = next(chunks)

    assert header.startswith("\ufeffSchoology User ID,")
    assert first_row.startswith("0,")
    assert consumed == [0]


def test_iter_csv_reports_progress():
    calls = []
    rows = [ReportRow(scenario=2, schoology=schoology_user()) for _ in range(3)]

    list(iter_csv(rows, progress=calls.append))

    assert calls == [3]


def test_write_csv_failure_leaves_nothing(tmp_path):
    target = tmp_path / "report.csv"

    def rows():
        yield ReportRow(scenario=2, schoology=schoology_user())
        raise RuntimeError("reader failed")

    with pytest.raises(RuntimeError):
        write_csv(target, rows())

    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_write_csv_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old", encoding="utf-8")

    def rows():
        raise RuntimeError("reader failed")
        yield

    with pytest.raises(RuntimeError):
        write_csv(target, rows())

    assert target.read_text(encoding="utf-8") == "old"


def test_write_csv_missing_folder(tmp_path):
    target = tmp_path / "no-such-folder" / "report.csv"

    with pytest.raises(DataPrepError) as raised:
        write_csv(target, [])

    assert str(target) in raised.value.message
    assert "folder that exists" in raised.value.message
