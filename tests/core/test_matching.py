import gc
from itertools import count

import pytest

from server.core.errors import MatchOptionError
from server.core.matching import match, parse_options
from server.core.model import Role, SchoologyUser, SisUser, make_local_id
from server.core.normalize import email_key, id_key, name_key, username_key

_lines = count(2)


def schoology(schoology_id, role=Role.STAFF, **fields) -> SchoologyUser:
    values = {
        "unique_id": "",
        "first_name": "",
        "middle_name": "",
        "last_name": "",
        "username": "",
        "email": "",
        "role_name": {Role.STUDENT: "Student", Role.STAFF: "Teacher"}.get(
            role, "Parent"
        ),
    }
    values.update(fields)

    return SchoologyUser(
        line=next(_lines), schoology_id=schoology_id, role=role, **values
    )


def sis(key, role=Role.STAFF, **fields) -> SisUser:
    values = {
        "number": "",
        "first_name": "",
        "middle_name": "",
        "last_name": "",
        "username": "",
        "email": "",
        "role_name": str(role),
    }
    values.update(fields)

    return SisUser(
        line=next(_lines),
        source="sis.csv",
        local_id=make_local_id(role, key),
        sis_key=key,
        role=role,
        **values,
    )


def pairs(result, scenario):
    """List the (Schoology User ID, SIS local ID) pairs of one scenario."""
    return [
        (
            row.schoology.schoology_id if row.schoology else None,
            row.sis.local_id if row.sis else None,
        )
        for row in result.rows
        if row.scenario == scenario
    ]


def notes(result):
    """Map each row's Schoology User ID or SIS local ID to its note."""
    return {
        (row.schoology.schoology_id if row.schoology else row.sis.local_id): row.note
        for row in result.rows
    }


@pytest.mark.parametrize(
    ("option", "schoology_fields", "sis_fields"),
    [
        ("unique-id", {"unique_id": "004512"}, {"number": "004512"}),
        (
            "email",
            {"email": "ann.lee@district.example"},
            {"email": "ann.lee@district.example"},
        ),
        ("username", {"username": "alee"}, {"username": "alee"}),
        (
            "name",
            {"first_name": "Ann", "last_name": "Lee"},
            {"first_name": "Ann", "last_name": "Lee"},
        ),
    ],
)
def test_match_each_option_scenarios(option, schoology_fields, sis_fields):
    result = match(
        [
            schoology("101", **schoology_fields),
            schoology(
                "102",
                unique_id="x9",
                email="x9@district.example",
                username="x9",
                first_name="Zed",
                last_name="Quill",
            ),
        ],
        [
            sis("T100", **sis_fields),
            sis(
                "T200",
                number="y7",
                email="y7@district.example",
                username="y7",
                first_name="Yara",
                last_name="Moss",
            ),
        ],
        option,
    )

    assert pairs(result, 1) == [("101", "2_T100")]
    assert pairs(result, 2) == [("102", None)]
    assert pairs(result, 3) == [(None, "2_T200")]
    assert result.counts == {1: 1, 2: 1, 3: 1}
    assert result.option_counts == {"linked": 0, option: 1}
    assert result.rows[0].mapping_id == "2_T100"
    assert result.rows[0].matched_by == option
    assert result.rows[1].mapping_id == ""
    assert result.rows[2].mapping_id == ""


def test_match_values_of_matched_option():
    result = match(
        [schoology("101", email=" Ann.Lee@District.example", username="alee")],
        [sis("T100", email="ann.lee@district.example", username="ALEE")],
        "username,email",
    )
    row = result.rows[0]

    assert row.matched_by == "username"
    assert row.schoology_value == "alee"
    assert row.sis_value == "ALEE"
    assert row.note == "Matched by username"


def test_match_unmatched_rows_show_first_option():
    result = match(
        [schoology("101", email="a@district.example", username="a1")],
        [sis("T100", email="b@district.example", username="b1")],
        "username,email",
    )
    schoology_row, sis_row = result.rows

    assert schoology_row.scenario == 2
    assert schoology_row.schoology_value == "a1"
    assert sis_row.scenario == 3
    assert sis_row.sis_value == "b1"


def test_match_options_run_in_order():
    schoology_users = [
        schoology("101", email="ann@district.example", username="alee"),
    ]
    sis_users = [
        sis("T100", email="ann@district.example"),
        sis("T200", username="alee"),
    ]

    by_email = match(schoology_users, sis_users, "email,username")
    by_username = match(schoology_users, sis_users, "username,email")

    assert pairs(by_email, 1) == [("101", "2_T100")]
    assert pairs(by_email, 3) == [(None, "2_T200")]
    assert pairs(by_username, 1) == [("101", "2_T200")]
    assert pairs(by_username, 3) == [(None, "2_T100")]


def test_match_later_option_matches_leftovers():
    result = match(
        [
            schoology("101", email="ann@district.example"),
            schoology("102", username="bmoss"),
        ],
        [sis("T100", email="ann@district.example"), sis("T200", username="bmoss")],
        "email,username",
    )

    assert pairs(result, 1) == [("101", "2_T100"), ("102", "2_T200")]
    assert result.option_counts == {"linked": 0, "email": 1, "username": 1}


def test_match_needs_same_role():
    result = match(
        [schoology("101", role=Role.STUDENT, email="kim@district.example")],
        [sis("T100", role=Role.STAFF, email="kim@district.example")],
        "email",
    )

    assert pairs(result, 1) == []
    assert pairs(result, 2) == [("101", None)]
    assert pairs(result, 3) == [(None, "2_T100")]
    assert notes(result)["101"] == (
        "email matches SIS user 2_T100 of role staff, but the Schoology role is"
        " student; map by hand"
    )
    assert notes(result)["2_T100"] == (
        "email matches Schoology user 101 of role student, but the SIS role is"
        " staff; map by hand"
    )


def test_match_shared_sis_email_matches_nobody():
    result = match(
        [schoology("101", email="office@district.example")],
        [
            sis("T100", email="office@district.example"),
            sis("T101", email="Office@district.example"),
        ],
        "email",
    )

    assert pairs(result, 1) == []
    assert pairs(result, 2) == [("101", None)]
    assert pairs(result, 3) == [(None, "2_T100"), (None, "2_T101")]
    assert notes(result)["101"] == (
        "email shared by 2 SIS users: 2_T100, 2_T101; map by hand"
    )
    assert notes(result)["2_T100"] == (
        "email shared by 1 Schoology user: 101 and 2 SIS users: 2_T100, 2_T101;"
        " map by hand"
    )
    assert result.ambiguous_schoology == 1
    assert result.ambiguous_sis == 2


def test_match_shared_schoology_email_matches_nobody():
    result = match(
        [
            schoology("101", email="lee.family@mail.example"),
            schoology("102", email="lee.family@mail.example"),
        ],
        [sis("T100", email="lee.family@mail.example")],
        "email",
    )

    assert pairs(result, 1) == []
    assert pairs(result, 2) == [("101", None), ("102", None)]
    assert pairs(result, 3) == [(None, "2_T100")]
    assert notes(result)["101"] == (
        "email shared by 2 Schoology users: 101, 102 and 1 SIS user: 2_T100;"
        " map by hand"
    )
    assert notes(result)["2_T100"] == (
        "email shared by 2 Schoology users: 101, 102; map by hand"
    )
    assert result.ambiguous_schoology == 2
    assert result.ambiguous_sis == 1


def test_match_shared_key_lists_at_most_five():
    result = match(
        [schoology("101", email="front@district.example")],
        [sis(f"T10{n}", email="front@district.example") for n in range(7)],
        "email",
    )

    assert notes(result)["101"] == (
        "email shared by 7 SIS users: 2_T100, 2_T101, 2_T102, 2_T103, 2_T104"
        " and 2 more; map by hand"
    )


def test_match_shared_key_resolved_by_next_option():
    result = match(
        [schoology("101", email="office@district.example", username="alee")],
        [
            sis("T100", email="office@district.example", username="alee"),
            sis("T101", email="office@district.example"),
        ],
        "email,username",
    )

    assert pairs(result, 1) == [("101", "2_T100")]
    assert pairs(result, 3) == [(None, "2_T101")]
    assert result.rows[0].note == "Matched by username"
    assert result.ambiguous_schoology == 0
    assert result.ambiguous_sis == 1


def test_match_teacher_who_is_also_parent():
    result = match(
        [schoology("101", role=Role.STAFF, email="dana.roe@district.example")],
        [
            sis("T100", role=Role.STAFF, email="dana.roe@district.example"),
            sis("G500", role=Role.PARENT, email="dana.roe@district.example"),
        ],
        "email",
    )

    assert pairs(result, 1) == [("101", "2_T100")]
    assert pairs(result, 3) == [(None, "3_G500")]
    assert notes(result)["3_G500"] == ""


def test_match_other_role_beside_shared_key():
    result = match(
        [
            schoology("101", role=Role.STUDENT, email="home@mail.example"),
            schoology("102", role=Role.PARENT, email="home@mail.example"),
        ],
        [
            sis("P1", role=Role.PARENT, email="home@mail.example"),
            sis("T1", role=Role.STAFF, email="home@mail.example"),
        ],
        "email",
    )

    assert pairs(result, 1) == [("102", "3_P1")]
    assert pairs(result, 2) == [("101", None)]
    assert pairs(result, 3) == [(None, "2_T1")]
    assert notes(result)["101"] == (
        "email matches SIS user 2_T1 of role staff, but the Schoology role is"
        " student; map by hand"
    )
    assert notes(result)["2_T1"] == (
        "email matches Schoology user 101 of role student, but the SIS role is"
        " staff; map by hand"
    )


def test_match_already_linked_first():
    result = match(
        [
            schoology("101", unique_id="2_T100", email="other@district.example"),
            schoology("102", unique_id="S7", role=Role.STUDENT),
        ],
        [
            sis("T100", email="nobody@district.example"),
            sis("T200", email="other@district.example"),
        ],
        "email",
    )
    row = result.rows[0]

    assert pairs(result, 1) == [("101", "2_T100")]
    assert pairs(result, 3) == [(None, "2_T200")]
    assert row.matched_by == "linked"
    assert row.note.startswith("Already linked: ")
    assert row.schoology_value == "2_T100"
    assert row.sis_value == "2_T100"
    assert result.already_linked == 1
    assert result.option_counts == {"linked": 1, "email": 0}


def test_match_linked_needs_same_role():
    result = match(
        [schoology("101", role=Role.STUDENT, unique_id="2_T100")],
        [sis("T100", role=Role.STAFF)],
        "email",
    )

    assert pairs(result, 1) == []
    assert result.already_linked == 0
    assert notes(result)["101"] == (
        "local ID matches SIS user 2_T100 of role staff, but the Schoology role is"
        " student; map by hand"
    )


@pytest.mark.parametrize("option", ["unique-id", "email", "username", "name"])
def test_match_blank_values_never_match(option):
    result = match(
        [schoology("101"), schoology("102", first_name="  ", last_name=" ")],
        [sis("T100"), sis("T101")],
        option,
    )

    assert pairs(result, 1) == []
    assert result.counts == {1: 0, 2: 2, 3: 2}
    assert result.ambiguous_schoology == 0


def test_match_blank_sis_number_under_unique_id():
    result = match(
        [schoology("101", unique_id="")],
        [sis("T100", number="")],
        "unique-id",
    )

    assert pairs(result, 1) == []
    assert pairs(result, 2) == [("101", None)]
    assert pairs(result, 3) == [(None, "2_T100")]


def test_match_unique_id_keeps_leading_zeros():
    result = match(
        [schoology("101", role=Role.STUDENT, unique_id="4512")],
        [sis("S1", role=Role.STUDENT, number="004512")],
        "unique-id",
    )

    assert pairs(result, 1) == []


@pytest.mark.parametrize(
    ("schoology_email", "sis_email"),
    [
        ("Ann.Lee@District.EXAMPLE", "ann.lee@district.example"),
        ("  ann.lee@district.example\t", "ann.lee@district.example"),
        ("ann.lee@district.example\u00a0", "ANN.LEE@district.example"),
    ],
)
def test_match_email_ignores_case_and_spaces(schoology_email, sis_email):
    result = match(
        [schoology("101", email=schoology_email)],
        [sis("T100", email=sis_email)],
        "email",
    )

    assert pairs(result, 1) == [("101", "2_T100")]
    assert result.rows[0].schoology_value == schoology_email
    assert result.rows[0].sis_value == sis_email


def test_match_name_ignores_accents_and_spacing():
    result = match(
        [
            schoology("101", first_name="José", last_name="Núñez  García"),
            schoology("102", first_name="Zoë", last_name="Brontë"),
        ],
        [
            sis("T100", first_name="JOSE", last_name="nunez garcia"),
            sis("T101", first_name="Zoe", last_name="Bronte"),
        ],
        "name",
    )

    assert pairs(result, 1) == [("101", "2_T100"), ("102", "2_T101")]
    assert result.rows[0].schoology_value == "José Núñez  García"


def test_match_name_needs_first_and_last():
    result = match(
        [schoology("101", last_name="Lee")],
        [sis("T100", last_name="Lee")],
        "name",
    )

    assert pairs(result, 1) == []


def test_match_order_is_stable():
    schoology_users = [
        schoology("103", email="c@district.example"),
        schoology("101"),
        schoology("102", email="a@district.example"),
        schoology("100"),
    ]
    sis_users = [
        sis("T9"),
        sis("T1", email="a@district.example"),
        sis("T5"),
        sis("T3", email="c@district.example"),
    ]

    result = match(schoology_users, sis_users, "email")

    assert pairs(result, 1) == [("103", "2_T3"), ("102", "2_T1")]
    assert pairs(result, 2) == [("101", None), ("100", None)]
    assert pairs(result, 3) == [(None, "2_T9"), (None, "2_T5")]
    assert [row.scenario for row in result.rows] == [1, 1, 2, 2, 3, 3]


def test_parse_options_keeps_order():
    assert parse_options("email,username") == ["email", "username"]
    assert parse_options(" Name , unique-id ") == ["name", "unique-id"]
    assert parse_options(["username"]) == ["username"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No mapping option was given"),
        ("  ", "No mapping option was given"),
        ("mail", "'mail' is not a valid mapping option"),
        ("email,sis-id", "'sis-id' is not a valid mapping option"),
        ("email,,name", "contain an empty item"),
        ("email,", "contain an empty item"),
        ("email,Email", "'email' is listed twice in 'email,Email'"),
    ],
)
def test_parse_options_rejects(text, message):
    with pytest.raises(MatchOptionError) as raised:
        parse_options(text)

    assert message in raised.value.message


def test_parse_options_error_lists_valid():
    with pytest.raises(MatchOptionError) as raised:
        parse_options("phone")

    assert "unique-id, email, username, name" in raised.value.message


def test_match_rejects_bad_option():
    with pytest.raises(MatchOptionError):
        match([], [], "email,phone")


@pytest.mark.parametrize(
    ("key", "first", "second"),
    [
        (email_key, " A@B.example ", "a@b.example"),
        (username_key, "\uff21lee", "alee"),
        (lambda v: name_key(v, "Lee"), "Ann  Marie", "ann marie"),
    ],
)
def test_keys_equal_after_normalising(key, first, second):
    assert key(first) == key(second)


def test_name_key_keeps_parts_apart():
    assert name_key("Ann Marie", "Lee") != name_key("Ann", "Marie Lee")


def test_match_leaves_gc_as_found():
    gc.disable()
    try:
        match([schoology("101")], [sis("T100")], "email")
        still_disabled = not gc.isenabled()
    finally:
        gc.enable()

    match([schoology("101")], [sis("T100")], "email")

    assert still_disabled
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("key", "first", "second"),
    [
        (email_key, "ada@example.org\u200b", "ada@example.org"),
        (username_key, "\u200ealovelace", "alovelace"),
        (lambda v: name_key(v, "Lovelace"), "Ada\u200f", "Ada"),
        (lambda v: name_key("Ada", v), "Love\u00adlace", "Lovelace"),
        (id_key, "\ufeff4512", "4512"),
    ],
)
def test_keys_ignore_invisible_format_characters(key, first, second):
    assert key(first) == key(second)


def test_match_name_with_right_to_left_mark():
    result = match(
        [schoology("101", first_name="\u05d3\u05e0\u05d4\u200f", last_name="Levi")],
        [sis("T1", first_name="\u05d3\u05e0\u05d4", last_name="Levi")],
        "name",
    )

    assert pairs(result, 1) == [("101", "2_T1")]
