"""The readers on duplicates, roles, key columns and column maps."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from server.core.errors import ExportError
from server.core.model import Role
from server.core.readers import archive as archive_module
from server.core.readers import detect_format, read_schoology, read_sis

DATA = Path(__file__).resolve().parent.parent / "data"

SCHOOLOGY_HEADER = "Schoology User ID,First Name,Last Name,E-mail,User Unique ID,Role"
USERS_1_1 = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,"
    "userIds,givenName,familyName,middleName,identifier,email,sms,phone,"
    "agentSourcedIds,grades,password"
)
USERS_1_2 = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
    "password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,"
    "preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns"
)
ROLES = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,"
    "endDate,orgSourcedId,userProfileSourcedId"
)
ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"


def write(path: Path, *lines: str) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")

    return path


def user_1_1(key, role, first, last, orgs="ORG-HS", number="", email=""):
    return f'{key},active,,true,"{orgs}",{role},,,{first},{last},,{number},{email},,,,,'


def user_1_2(key, first, last, number="", email="", status="active"):
    return f"{key},{status},,true,,,{first},{last},,{number},{email}" + "," * 12


def role_row(key, user, role_type, role, org, status="active"):
    return f"{key},{status},,{user},{role_type},{role},,,{org},"


def test_schoology_duplicate_user_id_raises(tmp_path):
    path = write(
        tmp_path / "users.csv",
        SCHOOLOGY_HEADER,
        "104857301,Ava,Thompson,,100231,Student",
        "104857302,Liam,Carter,,004512,Student",
        "104857301,Ava,Thompson,,100231,Student",
    )

    with pytest.raises(ExportError) as caught:
        read_schoology(path)

    message = str(caught.value)
    assert message.startswith("users.csv, lines 2 and 4:")
    assert "'104857301'" in message


def test_schoology_duplicate_unique_id_warns(tmp_path):
    path = write(
        tmp_path / "users.csv",
        SCHOOLOGY_HEADER,
        "104857301,Ava,Thompson,,100231,Student",
        "104857302,Liam,Carter,,004512,Student",
        "104857303,Ava,Thompson,,100231,Student",
    )

    export = read_schoology(path)

    assert len(export.users) == 3
    assert export.warnings == [
        "users.csv: 2 accounts share the User Unique ID '100231' (lines 2, 4). "
        "Matching treats them as ambiguous. Give each account its own Unique ID "
        "in Schoology, or merge the accounts."
    ]


def test_schoology_many_shared_unique_ids_counted(tmp_path):
    rows = [f"1048{n:05d},A,B,,U{n // 2},Student" for n in range(50)]
    path = write(tmp_path / "users.csv", SCHOOLOGY_HEADER, *rows)

    warnings = read_schoology(path).warnings

    assert len(warnings) == 21
    assert warnings[0].startswith("users.csv: 2 accounts share the User Unique ID 'U0'")
    assert warnings[-1].startswith(
        "users.csv: 5 more User Unique IDs are shared by several accounts each."
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("104857301,Ava,Thompson,,100231,Coach", "line 2: the role 'Coach' is not"),
        ("104857301,Ava,Thompson,,100231,", "line 2: the role '' is not"),
        (",Ava,Thompson,,100231,Student", "line 2: the Schoology User ID is blank"),
    ],
)
def test_schoology_bad_rows(tmp_path, row, expected):
    path = write(tmp_path / "users.csv", SCHOOLOGY_HEADER, row)

    with pytest.raises(ExportError, match=expected):
        read_schoology(path)


def test_schoology_ids_stripped_names_kept(tmp_path):
    path = write(
        tmp_path / "users.csv",
        SCHOOLOGY_HEADER,
        " 104857301 , Ava ,Thompson, AVA@example.org ,100231 , Student ",
    )

    user = read_schoology(path).users[0]

    assert user.schoology_id == "104857301"
    assert user.unique_id == "100231"
    assert user.first_name == " Ava "
    assert user.email == " AVA@example.org "
    assert user.role is Role.STUDENT


def test_same_key_same_person_merges(tmp_path):
    users = write(
        tmp_path / "users.csv",
        USERS_1_1,
        user_1_1("S1", "student", "Ethan", "Brooks", "ORG-MS", "100251"),
        user_1_1("S1", "student", "ETHAN", "Brooks", "ORG-HS", email="e@example.org"),
    )
    orgs = write(
        tmp_path / "orgs.csv",
        ORGS,
        "ORG-MS,active,,Middle School,school,,",
        "ORG-HS,active,,High School,school,,",
    )

    export = read_sis([users, orgs])

    assert len(export.users) == 1
    ethan = export.users[0]
    assert ethan.school == "Middle School, High School"
    assert ethan.number == "100251"
    assert ethan.email == "e@example.org"
    assert ethan.line == 2


def test_same_key_different_people_raises():
    with pytest.raises(ExportError) as caught:
        read_sis([DATA / "oneroster_shared_key.csv"])

    message = str(caught.value)
    assert "oneroster_shared_key.csv, line 2 and oneroster_shared_key.csv, line 3" in (
        message
    )
    assert "the SIS key 'S88213'" in message
    assert "export the file again" in message


def test_same_key_conflicting_numbers_raises(tmp_path):
    path = write(
        tmp_path / "users.csv",
        USERS_1_1,
        user_1_1("S1", "student", "Ethan", "Brooks", number="100251"),
        user_1_1("S1", "student", "Ethan", "Brooks", number="100999"),
    )

    with pytest.raises(ExportError, match="different people"):
        read_sis([path])


def test_same_key_different_roles_are_two_users(tmp_path):
    path = write(
        tmp_path / "users.csv",
        USERS_1_1,
        user_1_1("1042", "teacher", "Daniel", "Reyes"),
        user_1_1("1042", "parent", "Daniel", "Reyes"),
    )

    export = read_sis([path])

    assert [user.local_id for user in export.users] == ["2_1042", "3_1042"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (user_1_1("S1", "janitor", "Ava", "Thompson"), "line 2: the role 'janitor'"),
        (
            user_1_1("", "student", "Ava", "Thompson"),
            "line 2: the SIS key in column 'sourcedId' is blank",
        ),
    ],
)
def test_oneroster_1_1_bad_rows(tmp_path, row, expected):
    path = write(tmp_path / "users.csv", USERS_1_1, row)

    with pytest.raises(ExportError, match=expected):
        read_sis([path])


def test_oneroster_unknown_org_shown_by_id(tmp_path):
    users = write(
        tmp_path / "users.csv", USERS_1_1, user_1_1("S1", "student", "A", "B", "X9")
    )
    orgs = write(tmp_path / "orgs.csv", ORGS, "ORG-HS,active,,High School,school,,")

    export = read_sis([users, orgs])

    assert export.users[0].school == "X9"
    assert any("1 org sourcedId is not in orgs.csv" in w for w in export.warnings)


def test_oneroster_key_column(tmp_path):
    path = write(
        tmp_path / "users.csv",
        USERS_1_1,
        user_1_1("S1", "student", "Ava", "Thompson", number="100231"),
    )

    user = read_sis([path], key_column="identifier").users[0]

    assert user.local_id == "1_100231"
    assert user.sis_key == "100231"


def oneroster_1_2(tmp_path, users, roles):
    folder = tmp_path / "oneroster"
    folder.mkdir()
    write(folder / "users.csv", USERS_1_2, *users)
    write(folder / "roles.csv", ROLES, *roles)

    return folder


def test_oneroster_1_2_user_without_role_warns(tmp_path):
    folder = oneroster_1_2(
        tmp_path,
        [user_1_2("S1", "Ava", "Thompson"), user_1_2("S2", "Liam", "Carter")],
        [role_row("R1", "S1", "primary", "student", "ORG-HS")],
    )

    export = read_sis([folder])

    assert [user.local_id for user in export.users] == ["1_S1"]
    assert any(
        "1 user has no active role in roles.csv (line 3)" in warning
        for warning in export.warnings
    )


def test_oneroster_1_2_without_primary_uses_first(tmp_path):
    folder = oneroster_1_2(
        tmp_path,
        [user_1_2("U1", "Rachel", "Kowalski")],
        [
            role_row("R1", "U1", "secondary", "guardian", "ORG-ES"),
            role_row("R2", "U1", "secondary", "aide", "ORG-ES"),
        ],
    )

    export = read_sis([folder])

    assert export.users[0].local_id == "3_U1"
    assert any("no primary role" in warning for warning in export.warnings)


def test_oneroster_1_2_primary_decides_over_order(tmp_path):
    folder = oneroster_1_2(
        tmp_path,
        [user_1_2("U1", "Rachel", "Kowalski")],
        [
            role_row("R1", "U1", "secondary", "guardian", "ORG-ES"),
            role_row("R2", "U1", "primary", "aide", "ORG-ES"),
            role_row("R3", "U1", "secondary", "teacher", "ORG-MS"),
        ],
    )

    user = read_sis([folder]).users[0]

    assert user.local_id == "2_U1"
    assert user.role_name == "aide"
    assert user.school == "ORG-ES, ORG-MS"


def test_oneroster_1_2_deleted_role_ignored(tmp_path):
    folder = oneroster_1_2(
        tmp_path,
        [user_1_2("U1", "Ava", "Thompson")],
        [
            role_row("R1", "U1", "primary", "teacher", "ORG-HS", status="tobedeleted"),
            role_row("R2", "U1", "secondary", "student", "ORG-HS"),
        ],
    )

    export = read_sis([folder])

    assert export.users[0].local_id == "1_U1"
    assert "roles.csv: 1 role with the status 'tobedeleted' was left out." in (
        export.warnings
    )


def test_oneroster_1_2_unknown_role_raises(tmp_path):
    folder = oneroster_1_2(
        tmp_path,
        [user_1_2("U1", "Ava", "Thompson")],
        [role_row("R1", "U1", "primary", "wizard", "ORG-HS")],
    )

    with pytest.raises(ExportError, match="roles.csv, line 2: the role 'wizard'"):
        read_sis([folder])


def test_oneroster_folder_ignores_other_files(tmp_path):
    folder = oneroster_1_2(
        tmp_path,
        [user_1_2("U1", "Ava", "Thompson")],
        [role_row("R1", "U1", "primary", "student", "ORG-HS")],
    )
    write(folder / "classes.csv", "sourcedId,title", "C1,Algebra")
    write(folder / "manifest.csv", "propertyName,value", "manifest.version,1.0")

    export = read_sis([folder])

    assert [name for name, _kind, _rows in export.files] == ["roles.csv", "users.csv"]


def test_powerschool_key_column(tmp_path):
    students = write(
        tmp_path / "students.csv",
        "DCID,Student_Number,First_Name,Last_Name",
        "5102,004512,Liam,Carter",
    )
    staff = write(
        tmp_path / "staff.csv",
        "DCID,TeacherNumber,First_Name,Last_Name",
        "301,7042,Daniel,Reyes",
    )

    export = read_sis([students, staff], key_column="Student_Number")
    local_ids = [user.local_id for user in export.users]

    assert local_ids == ["1_004512", "2_301"]
    assert (
        "staff.csv has no column 'Student_Number', so its SIS key stays in the "
        "usual column." in export.warnings
    )


def test_key_column_blank_value_raises(examples_dir):
    with pytest.raises(
        ExportError, match="line 10: the SIS key in column 'Student_Number' is blank"
    ):
        read_sis([examples_dir / "powerschool"], key_column="Student_Number")


def test_key_column_missing_everywhere(examples_dir):
    with pytest.raises(ExportError, match="No SIS file has the key column 'Nope'"):
        read_sis([examples_dir / "powerschool"], key_column="Nope")


def test_powerschool_blank_dcid_raises(tmp_path):
    path = write(
        tmp_path / "students.csv",
        "DCID,Student_Number,First_Name,Last_Name",
        "5101,100231,Ava,Thompson",
        ",004512,Liam,Carter",
    )

    with pytest.raises(
        ExportError, match="line 3: the SIS key in column 'DCID' is blank"
    ):
        read_sis([path])


def test_powerschool_prefixed_headers(tmp_path):
    path = write(
        tmp_path / "students.csv",
        "Students.DCID,Students.Student_Number,[Students]First_Name,Students.Last_Name",
        "5101,100231,Ava,Thompson",
    )

    export = read_sis([path])

    assert export.files == [("students.csv", "powerschool-students", 1)]
    assert export.users[0].local_id == "1_5101"


PEOPLE_HEADER = "Person ID,Given,Family,Kind,Mail"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Kind", ["1_P1", "2_P2"]),
        ("student", ["1_P1", "1_P2"]),
        ("=parent", ["3_P1", "3_P2"]),
    ],
)
def test_column_map_role(tmp_path, role, expected):
    path = write(
        tmp_path / "people.csv",
        PEOPLE_HEADER,
        "P1,Ava,Thompson,Student,ava@example.org",
        "P2,Marcus,Hill,Teacher,marcus@example.org",
    )
    column_map = {
        "sis_key": "Person ID",
        "first_name": "Given",
        "last_name": "Family",
        "role": role,
        "email": "Mail",
    }

    export = read_sis([path], sis_format="csv", column_map=column_map)

    assert [user.local_id for user in export.users] == expected
    assert export.users[1].email == "marcus@example.org"
    assert export.files == [("people.csv", "csv", 2)]


def test_column_map_defaults_for_usual_headers(tmp_path):
    path = write(
        tmp_path / "people.csv",
        "SIS ID,First Name,Last Name,Role,E-mail,School,Grade",
        "P1,Ava,Thompson,Student,ava@example.org,High School,10",
    )

    user = read_sis([path]).users[0]

    assert user.local_id == "1_P1"
    assert user.email == "ava@example.org"
    assert user.school == "High School"
    assert user.grade == "10"


@pytest.mark.parametrize(
    ("column_map", "expected"),
    [
        ({"shoe_size": "Kind"}, "unknown field 'shoe_size'"),
        ({"sis_key": "Missing"}, "the required column 'Missing' is missing"),
        ({"first_name": "Given"}, "no column contains the field 'sis_key'"),
        (
            {"sis_key": "Person ID", "first_name": "Given", "last_name": "Family"}
            | {"role": "=wizard"},
            "fixed role 'wizard'",
        ),
    ],
)
def test_column_map_errors(tmp_path, column_map, expected):
    path = write(tmp_path / "people.csv", PEOPLE_HEADER, "P1,Ava,Thompson,Student,")

    with pytest.raises(ExportError, match=expected):
        read_sis([path], column_map=column_map)


@pytest.mark.parametrize(
    ("paths", "sis_format", "expected"),
    [
        (
            ["oneroster"],
            "powerschool",
            "a OneRoster 1.1 users.csv, not a PowerSchool export",
        ),
        (
            ["powerschool"],
            "oneroster",
            "a PowerSchool staff export, not a OneRoster export",
        ),
        (["oneroster"], "excel", "'excel' is not a SIS format"),
        (["schoology/users.csv"], None, "is a Schoology user export"),
        (["nowhere"], None, "not found"),
        ([], None, "No SIS export was given"),
    ],
)
def test_read_sis_rejects(examples_dir, paths, sis_format, expected):
    with pytest.raises(ExportError, match=expected):
        read_sis([examples_dir / path for path in paths], sis_format=sis_format)


def test_read_sis_empty_folder(tmp_path):
    with pytest.raises(ExportError, match="contains no CSV or workbook files"):
        read_sis([tmp_path])


def test_repeated_values_interned(examples_dir):
    users = read_sis([examples_dir / "oneroster"]).users
    high_school = [user for user in users if user.school == "Maple Ridge High School"]

    assert high_school[0].school is high_school[1].school
    assert high_school[0].role_name is high_school[1].role_name


def test_detect_format_other_csv(tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_HEADER, "P1,Ava,Thompson,Student,")

    assert detect_format(path) == "csv"


@pytest.mark.parametrize(
    ("header", "kind", "column"),
    [
        (
            "status,enabledUser,role,givenName,familyName,email",
            "oneroster-1.1",
            "sourcedId",
        ),
        (
            "ID,Student_Number,First_Name,Last_Name,Email",
            "powerschool-students",
            "DCID",
        ),
        ("TeacherNumber,First_Name,Last_Name,Email_Addr", "powerschool-staff", "DCID"),
    ],
)
def test_file_without_key_column_detected(tmp_path, header, kind, column):
    path = write(
        tmp_path / "users.csv", header, ",".join(["x"] * len(header.split(",")))
    )

    assert detect_format(path) == kind
    with pytest.raises(ExportError) as raised:
        read_sis([path])
    assert str(raised.value).startswith(
        f"users.csv: the required column '{column}' is missing."
    )


def test_detect_format_empty_folder(tmp_path):
    with pytest.raises(ExportError, match="contains no CSV or workbook files"):
        detect_format(tmp_path)


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.iterdir()):
            bundle.write(path, prefix + path.name.upper())

    return archive


def split_row(examples_dir, tmp_path, folder, file, starts, at):
    """Copy an example file with one row broken in two at character ``at``."""
    lines = (examples_dir / folder / file).read_text(encoding="utf-8").splitlines()
    broken = []
    for line in lines:
        if line.startswith(starts):
            broken += [line[:at], line[at:]]
        else:
            broken.append(line)
    target = tmp_path / file
    target.write_text("\n".join(broken) + "\n", encoding="utf-8")

    return target


def test_split_row_rejected_not_read(examples_dir, tmp_path):
    # Noah Patel's row, broken inside his email: the second half must not
    # become a student of its own.
    path = split_row(examples_dir, tmp_path, "powerschool", "students.csv", "5103,", 40)

    with pytest.raises(ExportError) as raised:
        read_sis([path])

    assert str(raised.value) == (
        "students.csv, lines 4 and 5: the two rows have 7 and 5 values, which "
        "make one row of 11 together, so a line break inside an unquoted value "
        "splits one row in two. Put that value in double quotes, or export the "
        "file again."
    )


def test_split_row_before_role_named(examples_dir, tmp_path):
    path = split_row(examples_dir, tmp_path, "oneroster", "users.csv", "S88240", 30)

    with pytest.raises(ExportError) as raised:
        read_sis([path], sis_format="oneroster")

    assert str(raised.value).startswith(
        "users.csv, line 5: the row has only 3 of the 18 values that the header "
        "names, so the role is blank."
    )


@pytest.mark.parametrize(
    ("key", "shown", "code"),
    [
        ("T1043\u200b", "T1043<U+200B>", "U+200B (ZERO WIDTH SPACE)"),
        ("\u200fT1043", "<U+200F>T1043", "U+200F (RIGHT-TO-LEFT MARK)"),
    ],
)
def test_key_with_invisible_character_rejected(tmp_path, key, shown, code):
    path = write(
        tmp_path / "users.csv",
        "sourcedId,role,givenName,familyName",
        f"{key},teacher,Ben,Okafor",
    )

    with pytest.raises(ExportError) as raised:
        read_sis([path])

    assert str(raised.value) == (
        f"users.csv, line 2: the SIS key '{shown}' contains the invisible "
        f"character {code}, so its local ID could never be typed. Remove the "
        "character in the SIS and export the file again."
    )


def test_key_with_accent_accepted(tmp_path):
    path = write(
        tmp_path / "users.csv",
        "sourcedId,role,givenName,familyName",
        "T-Núñez,teacher,Jorge,Núñez",
    )

    assert [user.local_id for user in read_sis([path]).users] == ["2_T-Núñez"]


def test_oneroster_zip_padded_rejected(examples_dir, tmp_path):
    # The users.csv inside is followed by 8 MiB of line breaks.
    users = (examples_dir / "oneroster" / "users.csv").read_bytes()
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(examples_dir / "oneroster" / "orgs.csv", "orgs.csv")
        bundle.writestr("users.csv", users + b"\n" * (8 << 20))

    with pytest.raises(ExportError) as raised:
        read_sis([archive])

    assert str(raised.value).startswith(
        "export.zip contains the part users.csv, which unpacks from "
    )


def test_value_over_field_limit_named(tmp_path):
    # A quote that is never closed makes the rest of the file one value.
    path = write(
        tmp_path / "users.csv",
        "sourcedId,role,givenName,familyName",
        'S1,student,Ava,"Moreno',
        *["S2,student,Ben,Okafor" + " " * 1000] * 1100,
    )

    with pytest.raises(ExportError) as raised:
        read_sis([path])

    assert str(raised.value).startswith(
        "users.csv, line 2: a value is longer than 1,048,576 characters"
    )


def test_oneroster_zip_read(examples_dir, tmp_path):
    archive = zip_folder(
        examples_dir / "oneroster-1.2", tmp_path / "export.zip", "export/"
    )

    export = read_sis([archive])

    assert len(export.users) == 47
    assert [name for name, _kind, _rows in export.files] == [
        "roles.csv",
        "orgs.csv",
        "users.csv",
    ]
    assert export.users[0].school == "Maple Ridge High School"
    assert detect_format(archive) == "oneroster-1.2"


def test_oneroster_zip_without_users(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("classes.csv", "sourcedId,title\r\n")

    with pytest.raises(ExportError, match="contains no users.csv"):
        read_sis([archive])


def test_oneroster_zip_too_large(examples_dir, tmp_path, monkeypatch):
    archive = zip_folder(examples_dir / "oneroster", tmp_path / "export.zip")
    monkeypatch.setattr(archive_module, "MAX_MEMBER_BYTES", 1000)

    with pytest.raises(ExportError, match="USERS.CSV unpacks to more than"):
        read_sis([archive])


def test_oneroster_zip_broken(tmp_path):
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really an archive")

    with pytest.raises(ExportError, match="not a ZIP archive that can be read"):
        read_sis([archive])


def test_zip_as_schoology_export_rejected(tmp_path):
    archive = tmp_path / "users.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("users.csv", SCHOOLOGY_HEADER + "\r\n")

    with pytest.raises(ExportError, match="unzip it and pass the CSV file inside"):
        read_schoology(archive)


def test_forced_format_on_other_csv(tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_HEADER, "P1,Ava,Thompson,Student,")

    with pytest.raises(ExportError, match="the file is not a OneRoster export"):
        read_sis([path], sis_format="oneroster")


def test_column_map_unused_warns(examples_dir):
    export = read_sis([examples_dir / "oneroster"], column_map={"sis_key": "x"})

    assert (
        "The column map was not used, because every file is a OneRoster or "
        "PowerSchool export. Choose the SIS format csv to apply it." in export.warnings
    )


def test_column_map_every_field(tmp_path):
    path = write(
        tmp_path / "people.csv",
        "Grade,School,Kind,Mail,Login,Family,Middle,Given,Number,Key",
        "07,Middle School,Student,liam@example.org,lcarter,Carter,Jo,Liam,004512,K1",
    )
    column_map = {
        "sis_key": "Key",
        "number": "Number",
        "first_name": "Given",
        "middle_name": "Middle",
        "last_name": "Family",
        "username": "Login",
        "email": "Mail",
        "role": "Kind",
        "school": "School",
        "grade": "Grade",
    }

    user = read_sis([path], column_map=column_map).users[0]

    assert user.local_id == "1_K1"
    assert user.sis_key == "K1"
    assert user.number == "004512"
    assert user.first_name == "Liam"
    assert user.middle_name == "Jo"
    assert user.last_name == "Carter"
    assert user.username == "lcarter"
    assert user.email == "liam@example.org"
    assert user.role is Role.STUDENT
    assert user.role_name == "Student"
    assert user.school == "Middle School"
    assert user.grade == "07"
    assert user.source == "people.csv"
    assert user.line == 2


STAFF = "DCID,TeacherNumber,First_Name,Last_Name,Email_Addr,SchoolID,Status"


@pytest.mark.parametrize(
    ("name", "lines", "where", "header", "value"),
    [
        (
            "users.csv",
            [SCHOOLOGY_HEADER, "1.04857E+8,Ava,Thompson,,100231,Student"],
            "users.csv, line 2",
            "Schoology User ID",
            "1.04857E+8",
        ),
        (
            "oneroster.csv",
            [USERS_1_1, user_1_1("2.02500E+16", "student", "Noah", "Patel")],
            "oneroster.csv, line 2",
            "sourcedId",
            "2.02500E+16",
        ),
        (
            "staff.csv",
            [STAFF, "3.01E+2,7042,Daniel,Reyes,,300,1"],
            "staff.csv, line 2",
            "DCID",
            "3.01E+2",
        ),
    ],
)
def test_key_in_scientific_notation_raises(tmp_path, name, lines, where, header, value):
    path = write(tmp_path / name, *lines)
    reader = read_schoology if name == "users.csv" else read_sis

    with pytest.raises(ExportError) as raised:
        reader(path)

    message = raised.value.message
    assert message.startswith(f"{where}: the {header} '{value}' is a number in ")
    assert "scientific notation" in message
    assert "without opening it in Excel" in message


@pytest.mark.parametrize(
    ("name", "lines", "header", "value"),
    [
        (
            "users.csv",
            [SCHOOLOGY_HEADER, "104857301,Ava,Thompson,,2.02500E+16,Student"],
            "User Unique ID",
            "2.02500E+16",
        ),
        (
            "oneroster.csv",
            [USERS_1_1, user_1_1("S1", "student", "Ava", "Lee", number="4.512E+3")],
            "identifier",
            "4.512E+3",
        ),
        (
            "staff.csv",
            [STAFF, "301,7.042e+3,Daniel,Reyes,,300,1"],
            "TeacherNumber",
            "7.042e+3",
        ),
    ],
)
def test_number_in_scientific_notation_warns(tmp_path, name, lines, header, value):
    path = write(tmp_path / name, *lines)
    reader = read_schoology if name == "users.csv" else read_sis

    export = reader(path)

    warning = next(w for w in export.warnings if "scientific notation" in w)
    assert warning.startswith(
        f"{name}: 1 value in the ID column '{header}' is a number in "
        f"scientific notation (line 2: '{value}')"
    )
    assert "cannot match on unique-id" in warning


def test_id_with_letter_e_kept(tmp_path):
    path = write(tmp_path / "users.csv", SCHOOLOGY_HEADER, "101,Ava,Lee,,1E5,Student")

    export = read_schoology(path)

    assert export.users[0].unique_id == "1E5"
    assert export.warnings == []


STUDENTS = "DCID,ID,Student_Number,First_Name,Last_Name,Email,SchoolID,Enroll_Status"


@pytest.mark.parametrize("sis_format", [None, "powerschool"])
@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        (
            "students.csv",
            [STAFF, "301,7042,Daniel,Reyes,,300,1"],
            "students.csv: the file name says students, but the header row has "
            "the columns of a PowerSchool staff export ('TeacherNumber'), so "
            "every row would be read as staff. Export the students with "
            "Student_Number, or rename the file if it is the staff export.",
        ),
        (
            "Teachers_2026.csv",
            [STUDENTS, "5101,101,100231,Ava,Thompson,,300,0"],
            "Teachers_2026.csv: the file name says staff, but the header row has "
            "the columns of a PowerSchool students export ('Student_Number'), so "
            "every row would be read as a student. Export the staff with "
            "TeacherNumber, or rename the file if it is the students export.",
        ),
    ],
)
def test_powerschool_file_name_contradicts_headers(
    tmp_path, name, lines, expected, sis_format
):
    path = write(tmp_path / name, *lines)

    with pytest.raises(ExportError) as raised:
        read_sis([path], sis_format=sis_format)

    assert raised.value.message == expected


def test_oneroster_zip_with_two_users_files(examples_dir, tmp_path):
    archive = tmp_path / "export.zip"
    users = (examples_dir / "oneroster" / "users.csv").read_bytes()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("2025/users.csv", users)
        bundle.writestr("2026/Users.csv", users)

    with pytest.raises(ExportError) as raised:
        read_sis([archive])

    assert raised.value.message == (
        "export.zip: the ZIP archive contains more than one users.csv "
        "('2025/users.csv' and '2026/Users.csv'), so it is not clear which "
        "export to read. Pass an archive of one OneRoster export, or unzip it "
        "and pass the folder you mean."
    )


def test_missing_column_lists_at_most_twenty_headers(tmp_path):
    header = ",".join(f"Column {n}" for n in range(1, 101))
    path = write(tmp_path / "users.csv", header, ",".join("x" * 100))

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    message = raised.value.message
    assert "'Column 20', and 80 more." in message
    assert "'Column 21'" not in message


@pytest.mark.parametrize(
    ("folder", "name", "kind"),
    [
        ("oneroster", "users.csv", "a OneRoster 1.1 users.csv"),
        ("oneroster", "orgs.csv", "a OneRoster orgs.csv"),
        ("powerschool", "students.csv", "a PowerSchool students export"),
    ],
)
def test_schoology_side_given_sis_export(examples_dir, folder, name, kind):
    with pytest.raises(ExportError) as raised:
        read_schoology(examples_dir / folder / name)

    assert raised.value.message == (
        f"{name} is {kind}, not a Schoology user export. Give it as a SIS "
        "export, and give the Schoology user export as the Schoology file."
    )
