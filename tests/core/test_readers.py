"""The readers on the example district: the exact users each format gives."""

from __future__ import annotations

import pytest

from server.core.errors import ExportError
from server.core.model import Role
from server.core.readers import detect_format, read_schoology, read_sis


@pytest.fixture
def schoology(examples_dir):
    return read_schoology(examples_dir / "schoology" / "users.csv")


def by_local_id(export):
    return {user.local_id: user for user in export.users}


def by_schoology_id(export):
    return {user.schoology_id: user for user in export.users}


def test_schoology_export_counts(schoology):
    assert schoology.side == "schoology"
    assert len(schoology.users) == 46
    assert schoology.files == [("users.csv", "schoology", 46)]


def test_schoology_first_user_fields(schoology):
    ava = schoology.users[0]

    assert ava.line == 2
    assert ava.schoology_id == "104857301"
    assert ava.unique_id == "1_S88213"
    assert ava.first_name == "Ava"
    assert ava.middle_name == "June"
    assert ava.last_name == "Thompson"
    assert ava.username == "athompson10"
    assert ava.email == "ava.thompson@students.example.org"
    assert ava.role is Role.STUDENT
    assert ava.role_name == "Student"
    assert ava.school == "Maple Ridge High School"
    assert ava.grad_year == "2029"


def test_schoology_bom_not_in_header(schoology, examples_dir):
    raw = (examples_dir / "schoology" / "users.csv").read_bytes()

    assert raw.startswith(b"\xef\xbb\xbf")
    assert schoology.users[0].first_name == "Ava"


def test_schoology_roles(schoology):
    users = by_schoology_id(schoology)

    assert users["104857401"].role is Role.STAFF
    assert users["104857405"].role_name == "School Admin"
    assert users["104857405"].role is Role.STAFF
    assert users["104857409"].role is Role.STAFF
    assert users["104857410"].role is Role.STAFF
    assert users["104857501"].role is Role.PARENT


def test_schoology_email_kept_as_exported(schoology):
    maya = by_schoology_id(schoology)["104857304"]

    assert maya.email == " Maya.Okafor@Students.Example.org "


def test_schoology_leading_zero_and_long_ids(schoology):
    users = by_schoology_id(schoology)

    assert users["104857302"].unique_id == "004512"
    assert users["104857303"].unique_id == "20250000000178342"


def test_schoology_additional_schools(schoology):
    ethan = by_schoology_id(schoology)["104857305"]

    assert ethan.school == "Maple Ridge Middle School"
    assert ethan.additional_schools == "Maple Ridge High School"


def test_schoology_shared_email(schoology):
    lena = [
        user for user in schoology.users if user.email == "lena.fischer@example.org"
    ]

    assert [user.schoology_id for user in lena] == ["104857404", "104857405"]


def test_schoology_accented_names(schoology):
    zoe = by_schoology_id(schoology)["104857306"]

    assert zoe.first_name == "Zoë"
    assert zoe.last_name == "Ångström"


def test_schoology_example_has_no_warnings(schoology):
    assert schoology.warnings == []


def test_oneroster_1_1_counts(examples_dir):
    export = read_sis([examples_dir / "oneroster"])

    assert export.side == "sis"
    assert len(export.users) == 47
    assert export.files == [
        ("orgs.csv", "oneroster-orgs", 4),
        ("users.csv", "oneroster-1.1", 48),
    ]
    assert export.warnings == [
        "users.csv: 1 user with the status 'tobedeleted' was left out."
    ]


def test_oneroster_1_1_student(examples_dir):
    ava = by_local_id(read_sis([examples_dir / "oneroster"]))["1_S88213"]

    assert ava.line == 2
    assert ava.source == "users.csv"
    assert ava.sis_key == "S88213"
    assert ava.number == "100231"
    assert ava.first_name == "Ava"
    assert ava.middle_name == "June"
    assert ava.last_name == "Thompson"
    assert ava.username == "athompson10"
    assert ava.email == "ava.thompson@students.example.org"
    assert ava.role is Role.STUDENT
    assert ava.role_name == "student"
    assert ava.school == "Maple Ridge High School"
    assert ava.grade == "10"


def test_oneroster_1_1_local_ids_by_role(examples_dir):
    users = by_local_id(read_sis([examples_dir / "oneroster"]))

    assert users["2_T1049"].role_name == "administrator"
    assert users["2_T1049"].school == "Maple Ridge School District"
    assert users["2_T1051"].role_name == "aide"
    assert users["3_P2213"].role_name == "guardian"
    assert users["3_P2214"].role_name == "relative"
    assert users["3_P2214"].role is Role.PARENT


def test_oneroster_1_1_special_ids(examples_dir):
    users = by_local_id(read_sis([examples_dir / "oneroster"]))

    assert users["1_004512"].sis_key == "004512"
    assert users["1_004512"].number == "004512"
    assert users["1_20250000000178342"].number == "20250000000178342"


def test_oneroster_1_1_teacher_also_parent(examples_dir):
    users = by_local_id(read_sis([examples_dir / "oneroster"]))

    assert users["2_T1042"].role is Role.STAFF
    assert users["3_P2210"].role is Role.PARENT
    assert users["2_T1042"].email == users["3_P2210"].email


def test_oneroster_1_1_two_schools(examples_dir):
    ethan = by_local_id(read_sis([examples_dir / "oneroster"]))["1_S88251"]

    assert ethan.school == "Maple Ridge Middle School, Maple Ridge High School"


def test_oneroster_1_1_blank_identifier(examples_dir):
    harper = by_local_id(read_sis([examples_dir / "oneroster"]))["1_S88295"]

    assert harper.number == ""
    assert harper.first_name == "Harper"


def test_oneroster_1_1_deleted_user_left_out(examples_dir):
    users = by_local_id(read_sis([examples_dir / "oneroster"]))

    assert "1_S88473" not in users


def test_oneroster_1_2_same_users_as_1_1(examples_dir):
    old = read_sis([examples_dir / "oneroster"])
    new = read_sis([examples_dir / "oneroster-1.2"])

    def summary(export):
        return sorted(
            (u.local_id, u.number, u.first_name, u.last_name, u.email, u.school)
            for u in export.users
        )

    assert summary(new) == summary(old)


def test_oneroster_1_2_files_and_warnings(examples_dir):
    export = read_sis([examples_dir / "oneroster-1.2"])

    assert export.files == [
        ("roles.csv", "oneroster-roles", 50),
        ("orgs.csv", "oneroster-orgs", 4),
        ("users.csv", "oneroster-1.2", 48),
    ]
    assert "roles.csv: 1 role with the status 'tobedeleted' was left out." in (
        export.warnings
    )
    assert any("more than one kind" in warning for warning in export.warnings)


def test_oneroster_1_2_primary_role_decides(examples_dir):
    rachel = by_local_id(read_sis([examples_dir / "oneroster-1.2"]))["2_T1051"]

    assert rachel.role is Role.STAFF
    assert rachel.role_name == "aide"


def test_oneroster_1_2_separate_records_stay(examples_dir):
    users = by_local_id(read_sis([examples_dir / "oneroster-1.2"]))

    assert users["2_T1042"].role_name == "teacher"
    assert users["3_P2210"].role_name == "parent"


def test_oneroster_1_2_student_two_schools(examples_dir):
    ethan = by_local_id(read_sis([examples_dir / "oneroster-1.2"]))["1_S88251"]

    assert ethan.school == "Maple Ridge Middle School, Maple Ridge High School"


def test_oneroster_1_2_files_given_one_by_one(examples_dir):
    folder = examples_dir / "oneroster-1.2"
    export = read_sis([folder / "users.csv", folder / "roles.csv"])

    assert len(export.users) == 47
    assert by_local_id(export)["1_S88213"].school == "ORG-MRHS"
    assert any("No orgs.csv" in warning for warning in export.warnings)


def test_oneroster_1_2_without_roles_rejected(examples_dir):
    with pytest.raises(ExportError, match="no roles.csv was given"):
        read_sis([examples_dir / "oneroster-1.2" / "users.csv"])


def test_powerschool_counts(examples_dir):
    export = read_sis([examples_dir / "powerschool"])

    assert len(export.users) == 38
    assert export.files == [
        ("staff.csv", "powerschool-staff", 11),
        ("students.csv", "powerschool-students", 28),
    ]


def test_powerschool_student(examples_dir):
    liam = by_local_id(read_sis([examples_dir / "powerschool"]))["1_5102"]

    assert liam.sis_key == "5102"
    assert liam.number == "004512"
    assert liam.first_name == "Liam"
    assert liam.last_name == "Carter"
    assert liam.username == "lcarter07"
    assert liam.email == "liam.carter@students.example.org"
    assert liam.role is Role.STUDENT
    assert liam.role_name == "Student"
    assert liam.school == "200"
    assert liam.grade == "7"


def test_powerschool_staff(examples_dir):
    daniel = by_local_id(read_sis([examples_dir / "powerschool"]))["2_301"]

    assert daniel.number == "7042"
    assert daniel.email == "daniel.reyes@example.org"
    assert daniel.role is Role.STAFF
    assert daniel.school == "300"


def test_powerschool_student_two_schools_merged(examples_dir):
    export = read_sis([examples_dir / "powerschool"])
    ethan = by_local_id(export)["1_5105"]

    assert ethan.school == "200, 300"
    assert [u.local_id for u in export.users].count("1_5105") == 1
    assert any("merged" in warning for warning in export.warnings)


def test_powerschool_inactive_kept_with_warning(examples_dir):
    export = read_sis([examples_dir / "powerschool"])
    users = by_local_id(export)

    assert "1_5126" in users
    assert "2_311" in users
    assert any(
        warning.startswith("students.csv: 1 students who are not currently enrolled")
        for warning in export.warnings
    )
    assert any(
        warning.startswith("staff.csv: 1 staff who are not active")
        for warning in export.warnings
    )


def test_powerschool_long_number(examples_dir):
    noah = by_local_id(read_sis([examples_dir / "powerschool"]))["1_5103"]

    assert noah.number == "20250000000178342"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("schoology/users.csv", "schoology"),
        ("oneroster/users.csv", "oneroster-1.1"),
        ("oneroster/orgs.csv", "oneroster-orgs"),
        ("oneroster", "oneroster-1.1"),
        ("oneroster-1.2/users.csv", "oneroster-1.2"),
        ("oneroster-1.2/roles.csv", "oneroster-roles"),
        ("oneroster-1.2", "oneroster-1.2"),
        ("powerschool/students.csv", "powerschool-students"),
        ("powerschool/staff.csv", "powerschool-staff"),
        ("powerschool", "powerschool"),
    ],
)
def test_detect_format_examples(examples_dir, path, expected):
    assert detect_format(examples_dir / path) == expected
