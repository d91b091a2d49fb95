"""The readers on awkward files: encodings, delimiters, headers, broken rows, xlsx."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from server.core.errors import ExportError
from server.core.model import Role
from server.core.readers import read_schoology, read_sis

DATA = Path(__file__).resolve().parent.parent / "data"

SCHOOLOGY_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Username",
    "E-mail",
    "User Unique ID",
    "Role",
    "Building or School",
    "Grad Year",
    "Additional Schools",
    "Schoology User ID",
]
AVA = [
    "Ava",
    "",
    "Thompson",
    "athompson10",
    "ava.thompson@students.example.org",
    "100231",
    "Student",
    "Maple Ridge High School",
    "2029",
    "",
    "104857301",
]
ONEROSTER_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,"
    "userIds,givenName,familyName,middleName,identifier,email,sms,phone,"
    "agentSourcedIds,grades,password"
)


def write_rows(path: Path, rows, delimiter=",", encoding="utf-8") -> Path:
    text = "".join(delimiter.join(row) + "\r\n" for row in rows)
    path.write_bytes(text.encode(encoding))

    return path


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ",".join(SCHOOLOGY_HEADER).encode() + b"\r\n")
    with path.open("ab") as stream:
        stream.write(",".join(AVA).encode() + b"\r\n")

    export = read_schoology(path)

    assert export.users[0].first_name == "Ava"
    assert export.warnings == []


def test_windows_1252_value_and_warning():
    export = read_schoology(DATA / "schoology_windows1252.csv")

    assert export.users[0].first_name == "Zoë"
    assert export.users[0].last_name == "Ångström"
    assert export.users[1].first_name == "François"
    assert export.warnings == [
        "schoology_windows1252.csv: the file is not valid UTF-8, so it was read "
        "as Windows-1252. Check that accented names look right, or save the "
        "export as CSV UTF-8."
    ]


def test_utf16_tab_separated(tmp_path):
    path = write_rows(
        tmp_path / "users.txt", [SCHOOLOGY_HEADER, AVA], "\t", encoding="utf-16"
    )

    export = read_schoology(path)

    assert export.users[0].schoology_id == "104857301"


def test_bad_byte_after_first_block(tmp_path):
    path = tmp_path / "users.csv"
    rows = [",".join(AVA[:10] + [str(104857000 + n)]) for n in range(2000)]
    text = ",".join(SCHOOLOGY_HEADER) + "\r\n" + "\r\n".join(rows) + "\r\n"
    path.write_bytes(text.encode() + b"Zo\x81,x\r\n")

    with pytest.raises(ExportError, match="neither UTF-8 nor Windows-1252"):
        read_schoology(path)


def test_bom_with_windows_1252_bytes(tmp_path):
    path = tmp_path / "users.csv"
    text = ",".join(SCHOOLOGY_HEADER) + "\r\n" + ",".join(AVA) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode() + "Zoë\r\n".encode("cp1252"))

    with pytest.raises(ExportError, match="neither UTF-8 nor Windows-1252"):
        read_schoology(path)


def test_excel_separator_line(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(
        "sep=;\r\n" + ";".join(SCHOOLOGY_HEADER) + "\r\n" + ";".join(AVA) + "\r\n"
    )

    export = read_schoology(path)

    assert export.users[0].schoology_id == "104857301"
    assert export.users[0].line == 3


def test_excel_separator_line_unusual_delimiter(tmp_path):
    path = tmp_path / "users.csv"
    row = ":".join(AVA) + ":extra"
    path.write_text("sep=:\r\n" + ":".join(SCHOOLOGY_HEADER) + "\r\n" + row)

    with pytest.raises(ExportError, match="contains an unquoted ':', for example"):
        read_schoology(path)


def test_broken_utf16(tmp_path):
    path = tmp_path / "users.txt"
    text = "\t".join(SCHOOLOGY_HEADER) + "\r\n" + "\t".join(AVA) + "\r\n"
    path.write_bytes(text.encode("utf-16") + b"\x00\xd8\x41\x00")

    with pytest.raises(ExportError, match="not valid UTF-16 throughout"):
        read_schoology(path)


def test_old_mac_line_endings(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(",".join(SCHOOLOGY_HEADER) + "\r" + ",".join(AVA) + "\r")

    export = read_schoology(path)

    assert export.users[0].schoology_id == "104857301"


def test_not_utf8_nor_windows_1252(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(",".join(SCHOOLOGY_HEADER).encode() + b"\r\nAva\x81,x\r\n")

    with pytest.raises(ExportError, match="neither UTF-8 nor Windows-1252"):
        read_schoology(path)


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiters(tmp_path, delimiter):
    path = write_rows(tmp_path / "users.csv", [SCHOOLOGY_HEADER, AVA], delimiter)

    user = read_schoology(path).users[0]

    assert user.schoology_id == "104857301"
    assert user.email == "ava.thompson@students.example.org"
    assert user.school == "Maple Ridge High School"


def test_semicolon_with_commas_in_values(tmp_path):
    row = list(AVA)
    row[0] = "Ava, Jr."
    path = write_rows(tmp_path / "users.csv", [SCHOOLOGY_HEADER, row], ";")

    assert read_schoology(path).users[0].first_name == "Ava, Jr."


def test_header_case_and_spacing(tmp_path):
    header = [
        "first_name",
        "MIDDLE NAME",
        " last name ",
        "username",
        "E-Mail ",
        "user_unique_id",
        "role",
        "Building",
        "grad year",
        "additional schools",
        "schoology user id",
    ]
    path = write_rows(tmp_path / "users.csv", [header, AVA])

    user = read_schoology(path).users[0]

    assert user.first_name == "Ava"
    assert user.last_name == "Thompson"
    assert user.email == "ava.thompson@students.example.org"
    assert user.unique_id == "100231"
    assert user.school == "Maple Ridge High School"
    assert user.schoology_id == "104857301"


def test_school_column_alias(tmp_path):
    header = [
        name if name != "Building or School" else "School" for name in SCHOOLOGY_HEADER
    ]
    path = write_rows(tmp_path / "users.csv", [header, AVA])

    assert read_schoology(path).users[0].school == "Maple Ridge High School"


def test_unquoted_comma_names_file_and_line():
    with pytest.raises(ExportError) as caught:
        read_sis([DATA / "oneroster_unquoted_comma.csv"])

    message = str(caught.value)
    assert message.startswith("oneroster_unquoted_comma.csv, line 3:")
    assert "19 values but the header has 18 columns" in message
    assert "unquoted comma" in message


def test_missing_column_names_file_column_and_headers():
    with pytest.raises(ExportError) as caught:
        read_schoology(DATA / "schoology_missing_role.csv")

    message = str(caught.value)
    assert message.startswith("schoology_missing_role.csv:")
    assert "the required column 'Role' is missing" in message
    assert (
        "'First Name', 'Last Name', 'E-mail', 'User Unique ID', 'Schoology User ID'"
        in message
    )


def test_unclosed_quote_names_line():
    with pytest.raises(ExportError, match=r"oneroster_unclosed_quote.csv, line 2:"):
        read_sis([DATA / "oneroster_unclosed_quote.csv"])


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\r\n \r\n", "the file is empty"),
        ("nul.csv", b"a,b\x00,c\r\n", r"the control character U\+0000"),
        ("junk.csv", bytes(range(256)) * 8, "binary data"),
        ("header_only.csv", ",".join(SCHOOLOGY_HEADER).encode(), "no users"),
        ("one_column.csv", b"just some text\r\nmore text\r\n", "only one column"),
        ("commas.csv", b",,,\r\n,,,\r\n", "no column names"),
        (
            "broken.xlsx",
            b"PK\x03\x04not really a zip",
            "its ZIP structure is incomplete",
        ),
        ("text.xlsx", b"First Name,Last Name\r\n", "named .xlsx but contains text"),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "password to open",
        ),
        ("image.xlsx", bytes(range(256)) * 4, "named .xlsx but is not a workbook"),
    ],
)
def test_unreadable_schoology_files(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ExportError, match=expected):
        read_schoology(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("image_renamed.csv", "binary data"),
        ("html_error_page.csv", "HTML or XML page"),
    ],
)
def test_hostile_files_rejected(name, expected):
    with pytest.raises(ExportError, match=expected):
        read_sis([DATA / name])


def test_missing_file(tmp_path):
    with pytest.raises(ExportError, match="not found"):
        read_schoology(tmp_path / "nowhere.csv")


def test_short_row_padded_with_warning(tmp_path):
    header = ["Schoology User ID", "First Name", "Last Name", "User Unique ID"]
    header += ["Role", "E-mail", "Building or School"]
    path = tmp_path / "users.csv"
    path.write_text(
        ",".join(header)
        + "\r\n104857301,Ava,Thompson,100231,Student,ava@example.org,MRHS"
        + "\r\n104857302,Liam,Carter,004512,Student\r\n"
    )

    export = read_schoology(path)

    assert export.users[1].unique_id == "004512"
    assert export.users[1].email == ""
    assert export.warnings == [
        "users.csv: 1 row has fewer values than the header (line 3), so the "
        "missing values were read as blank. Check those rows: a line break "
        "inside an unquoted value splits one row into two."
    ]


def test_quoted_line_break_keeps_line_numbers(tmp_path):
    path = tmp_path / "users.csv"
    ben = ["Ben", "", "Keller", "bkeller", "", "100990", "Student", "", "", "", ""]
    path.write_text(
        ",".join(SCHOOLOGY_HEADER)
        + '\r\n"Ava\r\nMarie",,Thompson,a,,1,Student,,,,104857301\r\n'
        + ",".join(ben)
        + "\r\n"
    )

    with pytest.raises(ExportError, match="line 4: the Schoology User ID is blank"):
        read_schoology(path)


def test_short_row_blank_id_names_cause(tmp_path):
    # An unquoted line break splits Ava's row: line 3 ends after "Ava".
    path = tmp_path / "users.csv"
    path.write_text(
        ",".join(SCHOOLOGY_HEADER)
        + "\r\nAva\r\nMarie,,Thompson,a,,1,Student,,,,104857301\r\n"
    )

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert str(raised.value) == (
        "users.csv, line 2: the row has only 1 of the 11 values that the header "
        "names, so the Schoology User ID is blank. A line break inside an "
        "unquoted value splits one row into two. Put that value in double "
        "quotes, or export the file again."
    )


def test_long_id_and_leading_zeros_in_csv(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(
        ONEROSTER_HEADER
        + "\r\n004512,active,,true,ORG-MS,student,lcarter,,Liam,Carter,,004512,"
        + ",,,,07,\r\n20250000000178342,,,true,ORG-HS,student,npatel,,Noah,Patel,,"
        + "20250000000178342,,,,,11,\r\n"
    )

    users = read_sis([path]).users

    assert users[0].local_id == "1_004512"
    assert users[0].number == "004512"
    assert users[0].grade == "07"
    assert users[1].local_id == "1_20250000000178342"
    assert users[1].number == "20250000000178342"


def save_workbook(path: Path, rows, text_columns=()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Users"
    for row in rows:
        sheet.append(row)
    for column in text_columns:
        for cell in sheet[column]:
            cell.number_format = "@"
    workbook.save(path)

    return path


def test_xlsx_text_ids_kept(tmp_path):
    row = list(AVA)
    row[5] = "004512"
    row[10] = "20250000000178342"
    path = save_workbook(tmp_path / "users.xlsx", [SCHOOLOGY_HEADER, row], "FK")

    export = read_schoology(path)

    assert export.users[0].unique_id == "004512"
    assert export.users[0].schoology_id == "20250000000178342"
    assert export.files == [("users.xlsx", "schoology", 1)]
    assert export.warnings == []


def test_xlsx_numeric_ids_warn_naming_cells(tmp_path):
    row = list(AVA)
    row[5] = 4512
    row[10] = 104857301
    row[8] = 2029
    path = save_workbook(tmp_path / "users.xlsx", [SCHOOLOGY_HEADER, row])

    export = read_schoology(path)

    user = export.users[0]
    assert user.unique_id == "4512"
    assert user.schoology_id == "104857301"
    assert user.grad_year == "2029"
    assert len(export.warnings) == 2
    assert export.warnings[0].startswith(
        "users.xlsx, sheet 'Users': 1 value in the ID column 'Schoology User ID' "
        "is stored as a number (cell K2)."
    )
    assert (
        "column 'User Unique ID' is stored as a number (cell F2)"
        in (export.warnings[1])
    )


def test_xlsx_rounded_long_number_flagged(tmp_path):
    row = list(AVA)
    row[10] = 12345678901234567
    path = save_workbook(tmp_path / "users.xlsx", [SCHOOLOGY_HEADER, row])

    export = read_schoology(path)

    assert "cell K2 (rounded by the spreadsheet)" in export.warnings[0]


def test_xlsx_leading_blank_rows_keep_row_numbers(tmp_path):
    row = list(AVA)
    row[6] = "Coach"
    path = save_workbook(tmp_path / "users.xlsx", [[], [], SCHOOLOGY_HEADER, row])

    with pytest.raises(ExportError) as caught:
        read_schoology(path)

    assert str(caught.value).startswith("users.xlsx, sheet 'Users', row 4:")
    assert "'Coach'" in str(caught.value)


def test_xlsx_value_without_header(tmp_path):
    liam = list(AVA)
    liam[10] = "104857302"
    rows = [SCHOOLOGY_HEADER, AVA, liam + ["", "extra"]]
    path = save_workbook(tmp_path / "users.xlsx", rows)

    with pytest.raises(ExportError, match="row 3: the row has a value in column 13"):
        read_schoology(path)


def test_xlsx_sis_with_column_map(tmp_path):
    rows = [
        ["Person", "Given", "Family", "Mail", "Kind"],
        ["004512", "Liam", "Carter", "liam.carter@students.example.org", "Student"],
        [7042, "Daniel", "Reyes", "daniel.reyes@example.org", "Teacher"],
    ]
    path = save_workbook(tmp_path / "people.xlsx", rows)
    column_map = {
        "sis_key": "Person",
        "first_name": "Given",
        "last_name": "Family",
        "email": "Mail",
        "role": "Kind",
    }

    export = read_sis([path], column_map=column_map)

    assert [user.local_id for user in export.users] == ["1_004512", "2_7042"]
    assert export.users[1].role is Role.STAFF
    assert "cell A3" in export.warnings[0]


def schoology_lines(*rows: list[str]) -> str:
    return "".join(",".join(row) + "\r\n" for row in (SCHOOLOGY_HEADER, *rows))


LIAM = ["Liam", "", "Carter", "lcarter07", "", "004512", "Student", "", "", "", ""]
LIAM[-1] = "104857302"
# Enough rows to push a later line past the first 64 KiB that are sniffed.
FILLER = [
    [f"Ann{n}", "", "Lee", "", "", f"9{n:05d}", "Student", "", "", "", f"7{n:08d}"]
    for n in range(2000)
]


@pytest.mark.parametrize(
    ("rows", "line", "column", "code"),
    [
        ([AVA, [*LIAM[:2], "Car\x00ter", *LIAM[3:]]], 3, "Last Name", "U+0000"),
        ([AVA, *FILLER, ["Li\x00am", *LIAM[1:]]], 2003, "First Name", "U+0000"),
        ([["Ava\x0b", *AVA[1:]]], 2, "First Name", "U+000B"),
        ([[*AVA[:4], "ava@example.org\x1b", *AVA[5:]]], 2, "E-mail", "U+001B"),
    ],
)
def test_control_character_names_line_and_column(tmp_path, rows, line, column, code):
    path = tmp_path / "users.csv"
    path.write_text(schoology_lines(*rows), encoding="utf-8", newline="")

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    message = raised.value.message
    assert message.startswith(f"users.csv, line {line}, column '{column}': ")
    assert f"the control character {code}" in message
    assert "Remove it" in message


def test_byte_order_mark_inside_file_removed(tmp_path):
    path = tmp_path / "users.csv"
    text = "\ufeff" + schoology_lines(AVA) + "\ufeff" + ",".join(LIAM) + "\r\n"
    path.write_text(text, encoding="utf-8", newline="")

    export = read_schoology(path)

    assert [user.schoology_id for user in export.users] == ["104857301", "104857302"]
    assert export.users[1].first_name == "Liam"
    assert export.warnings == [
        "users.csv: 1 row contains a byte order mark (U+FEFF) inside the file "
        "(line 3), which was removed. This happens when two exports are joined "
        "into one file, so check that no rows are repeated."
    ]


def test_repeated_header_row_rejected(tmp_path):
    path = tmp_path / "users.csv"
    text = "\ufeff" + schoology_lines(AVA) + "\ufeff" + schoology_lines(LIAM)
    path.write_text(text, encoding="utf-8", newline="")

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert raised.value.message == (
        "users.csv, line 3: the row repeats the header row, so the file looks "
        "like two exports joined into one. Delete the repeated header row, or "
        "export the users again as one file."
    )


def test_mixed_encodings_name_both_lines(tmp_path):
    path = tmp_path / "users.csv"
    zoe = ["Zoë", "", "Ångström", *AVA[3:10], "104857306"]
    jose = ["José", "", "Núñez", *AVA[3:10], "104857307"]
    path.write_bytes(
        schoology_lines(AVA, zoe).encode("utf-8")
        + (",".join(jose) + "\r\n").encode("cp1252")
    )

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert raised.value.message == (
        "users.csv, line 4: the line is not UTF-8 text, but line 3 is, so the "
        "file mixes two encodings and some names would be garbled. Save the "
        "whole export again as CSV UTF-8."
    )


@pytest.mark.parametrize(
    ("header_delimiter", "row_delimiter", "names"),
    [("|", ",", ("comma", "pipe")), (",", ";", ("semicolon", "comma"))],
)
def test_rows_with_other_delimiter_than_header(
    tmp_path, header_delimiter, row_delimiter, names
):
    path = tmp_path / "users.csv"
    path.write_text(
        header_delimiter.join(SCHOOLOGY_HEADER) + "\r\n" + row_delimiter.join(AVA),
        encoding="utf-8",
    )

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert raised.value.message == (
        f"users.csv, line 2: the row is {names[0]} separated but the header row "
        f"is {names[1]} separated, so the row reads as one value. Save the whole "
        "file again with one delimiter."
    )


@pytest.mark.parametrize(
    "title",
    [
        ["Schoology user export"],
        ["Maple Ridge School District, all users", "2026-12-01"],
    ],
)
def test_title_lines_above_header_skipped(tmp_path, title):
    path = tmp_path / "users.csv"
    path.write_text(
        schoology_lines(AVA).replace(
            ",".join(SCHOOLOGY_HEADER),
            ",".join(title) + "\r\n\r\n" + ",".join(SCHOOLOGY_HEADER),
        ),
        encoding="utf-8",
        newline="",
    )

    export = read_schoology(path)

    assert [user.schoology_id for user in export.users] == ["104857301"]
    assert export.users[0].line == 4
    assert export.warnings == [
        "users.csv: the header row is line 3, so the line above it was "
        f"skipped ('{','.join(title)}'). Check that the report shows the right "
        "columns."
    ]


def test_xlsx_title_row_above_header_skipped(tmp_path):
    rows = [["Schoology user export"], [], SCHOOLOGY_HEADER, AVA]
    path = save_workbook(tmp_path / "users.xlsx", rows)

    export = read_schoology(path)

    assert [user.schoology_id for user in export.users] == ["104857301"]
    assert export.users[0].line == 4
    assert export.warnings == [
        "users.xlsx, sheet 'Users': the header row is row 3, so the row above it "
        "was skipped ('Schoology user export'). Check that the report shows the "
        "right columns."
    ]


def test_line_without_breaks_rejected(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(b"x," * (1024 * 1024))

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert raised.value.message == (
        "users.csv, line 1: the line is longer than 1,048,576 characters, so the "
        "file is not a CSV export of users. Export the users again."
    )


def test_value_longer_than_excel_cell_rejected(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(schoology_lines(AVA, ["L" * 40_000, *LIAM[1:]]), encoding="utf-8")

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert raised.value.message == (
        "users.csv, line 3, column 'First Name': the value is 40,000 characters "
        "long, but an Excel cell holds at most 32,767. Shorten it in the SIS or "
        "in the file, then run the report again."
    )


def test_value_at_excel_cell_limit_kept(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(schoology_lines(["L" * 32_767, *AVA[1:]]), encoding="utf-8")

    export = read_schoology(path)

    assert len(export.users[0].first_name) == 32_767
