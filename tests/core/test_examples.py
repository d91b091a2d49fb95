"""Every reader and mapping option on the example district, pair by pair.

The expected people come from examples/README.md, which lists who shows each
case. Each matched pair must also be one person: the same first and last name
on both sides, but for the cases that exist to differ.
"""

import csv
from collections import Counter

import pytest

from server.core.normalize import name_part_key
from server.core.readers import read_schoology
from server.core.report import build_report, read_exports

OPTIONS = ("unique-id", "email", "username", "name")

# Not in the SIS (Grace Howell's record is "tobedeleted"), or a test account.
ONLY_SCHOOLOGY = ["Grace Howell", "Test Student", "Greg Morton", "Mark Ellison"]
# Two Schoology accounts with one email.
SHARED_EMAIL = ["Lena Fischer", "Lena Fischer"]
# Schoology has other names than the SIS for these people.
RENAMED = ["Bob Lindqvist", "Karen Hale"]
TEACHERS_AND_PARENTS = [
    "Daniel Reyes",
    "Marcus Hill",
    "Priya Raman",
    "Owen Gallagher",
    "Helen Park",
    "Rachel Kowalski",
    "Angela Thompson",
    "Victor Okafor",
    "Nadia Patel",
    "Thomas Carter",
    "Sarah Bennett",
    "Jorge Núñez",
    "Fatima Hassan",
    "Paul Meyer",
    "Ingrid Rossi",
]
PARENTS = TEACHERS_AND_PARENTS[6:]
# Usernames are compared without case but with accents, and the SIS spells
# these two with them (zångström06, jnúñez05).
ACCENTED_USERNAMES = ["Zoë Ångström", "José Núñez"]

# New students, a new teacher and a parent without an account.
NEW_IN_SIS = ["1_S88306", "1_S88317", "1_S88328", "2_T1050", "3_P2215"]
ONEROSTER_STAFF_AND_PARENTS = [
    "2_T1042",
    "2_T1043",
    "2_T1044",
    "2_T1045",
    "2_T1046",
    "2_T1047",
    "2_T1048",
    "2_T1049",
    "2_T1051",
    "3_P2210",
    "3_P2211",
    "3_P2212",
    "3_P2213",
    "3_P2214",
    "3_P2217",
    "3_P2218",
    "3_P2220",
    "3_P2221",
    "3_P2222",
]
ONEROSTER_PARENTS = ONEROSTER_STAFF_AND_PARENTS[9:]

# For each mapping option: the Schoology users left in scenario 2 and the SIS
# local IDs left in scenario 3, with OneRoster's sourcedIds as SIS keys.
ONEROSTER = {
    "unique-id": (
        ["Harper Nguyen", *ONLY_SCHOOLOGY, *SHARED_EMAIL, *RENAMED]
        + TEACHERS_AND_PARENTS,
        # Harper Nguyen has no identifier.
        ["1_S88295", *NEW_IN_SIS, *ONEROSTER_STAFF_AND_PARENTS],
    ),
    "email": (
        [*ONLY_SCHOOLOGY, *SHARED_EMAIL, *RENAMED],
        # The renamed people's records, Lena Fischer's, and Daniel Reyes's
        # parent record, since his one account is a teacher's.
        [*NEW_IN_SIS, "2_T1043", "2_T1044", "2_T1045", "3_P2210"],
    ),
    "username": (
        # Karen Hale keeps her username khale, and one Lena Fischer matches.
        [*ONLY_SCHOOLOGY, "Lena Fischer", "Bob Lindqvist"]
        + ACCENTED_USERNAMES
        + PARENTS,
        ["1_S88262", "1_S88273", *NEW_IN_SIS, "2_T1043", *ONEROSTER_PARENTS],
    ),
    "name": (
        [*ONLY_SCHOOLOGY, *SHARED_EMAIL, *RENAMED],
        [*NEW_IN_SIS, "2_T1043", "2_T1044", "2_T1045", "3_P2210"],
    ),
}

# PowerSchool keys are DCIDs, it has no parents, and it keeps Grace Howell
# (Enroll_Status 2) and Greg Morton (inactive staff).
POWERSCHOOL_STAFF = [f"2_{dcid}" for dcid in range(301, 312)]
POWERSCHOOL_NEW = ["1_5109", "1_5110", "1_5111"]
POWERSCHOOL = {
    "unique-id": (
        # Ava Thompson's Unique ID is her OneRoster local ID, not a DCID one.
        ["Ava Thompson", "Harper Nguyen", "Test Student", *SHARED_EMAIL, *RENAMED]
        + ["Greg Morton", "Mark Ellison"]
        + TEACHERS_AND_PARENTS,
        ["1_5101", "1_5108", *POWERSCHOOL_NEW, *POWERSCHOOL_STAFF],
    ),
    "email": (
        ["Test Student", *SHARED_EMAIL, *RENAMED, "Mark Ellison", *PARENTS],
        [*POWERSCHOOL_NEW, "2_302", "2_303", "2_304", "2_309"],
    ),
    "username": (
        [*ACCENTED_USERNAMES, "Test Student", *SHARED_EMAIL, *RENAMED]
        + ["Greg Morton", "Mark Ellison"]
        + TEACHERS_AND_PARENTS,
        ["1_5106", "1_5107", *POWERSCHOOL_NEW, *POWERSCHOOL_STAFF],
    ),
    "name": (
        ["Test Student", *SHARED_EMAIL, *RENAMED, "Mark Ellison", *PARENTS],
        [*POWERSCHOOL_NEW, "2_302", "2_303", "2_304", "2_309"],
    ),
}

# Pairs whose names differ on purpose: the married name under username.
RENAMED_PAIRS = {("Karen Hale", "Karen Brandt")}

GENERIC_HEADERS = {
    "sourcedId": "Person ID",
    "givenName": "Given",
    "familyName": "Family",
    "role": "Kind",
    "identifier": "Number",
    "email": "Mail",
    "username": "Login",
}
GENERIC_MAP = {
    "first_name": "Given",
    "last_name": "Family",
    "role": "Kind",
    "number": "Number",
    "email": "Mail",
    "username": "Login",
}


def generic_copy(examples_dir, folder):
    """Rewrite the OneRoster users as a plain CSV with other column names.

    The user that OneRoster marks "tobedeleted" is left out, as the OneRoster
    reader leaves it out.
    """
    source = examples_dir / "oneroster" / "users.csv"
    target = folder / "people.csv"
    with source.open(encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if row["status"] == "active"]
    with target.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(GENERIC_HEADERS.values())
        for row in rows:
            writer.writerow(row[column] for column in GENERIC_HEADERS)

    return target


def read_side(examples_dir, tmp_path, reader):
    schoology = examples_dir / "schoology" / "users.csv"
    if reader == "generic":
        return read_exports(
            schoology,
            [generic_copy(examples_dir, tmp_path)],
            "csv",
            column_map=GENERIC_MAP,
            key_column="Person ID",
        )

    folders = {
        "oneroster-1.1": "oneroster",
        "oneroster-1.2": "oneroster-1.2",
        "powerschool": "powerschool",
    }

    return read_exports(schoology, [examples_dir / folders[reader]])


def full_name(user) -> str:
    return f"{user.first_name} {user.last_name}"


def folded(name: str) -> str:
    return " ".join(name_part_key(part) for part in name.split())


CASES = [
    (reader, option, expected[option])
    for reader, expected in (
        ("oneroster-1.1", ONEROSTER),
        ("oneroster-1.2", ONEROSTER),
        ("generic", ONEROSTER),
        ("powerschool", POWERSCHOOL),
    )
    for option in OPTIONS
]


@pytest.mark.parametrize(("reader", "option", "expected"), CASES)
def test_example_scenarios(examples_dir, tmp_path, reader, option, expected):
    schoology, sis = read_side(examples_dir, tmp_path, reader)
    only_schoology, only_sis = expected

    report = build_report(schoology, sis, option)
    scenario_2 = [full_name(row.schoology) for row in report.rows if row.scenario == 2]
    scenario_3 = [row.sis.local_id for row in report.rows if row.scenario == 3]
    matched = [row for row in report.rows if row.scenario == 1]

    assert Counter(scenario_2) == Counter(only_schoology)
    assert sorted(scenario_3) == sorted(only_sis)
    assert len(matched) == len(schoology.users) - len(only_schoology)
    for row in matched:
        pair = (full_name(row.schoology), full_name(row.sis))
        assert row.mapping_id == row.sis.local_id
        assert row.schoology.role == row.sis.role
        if pair not in RENAMED_PAIRS:
            assert folded(pair[0]) == folded(pair[1]), pair


def test_example_already_linked(examples_dir, tmp_path):
    schoology, sis = read_side(examples_dir, tmp_path, "oneroster-1.1")

    report = build_report(schoology, sis, "username")
    linked = [row for row in report.rows if row.matched_by == "linked"]

    assert [(full_name(row.schoology), row.mapping_id) for row in linked] == [
        ("Ava Thompson", "1_S88213")
    ]


def test_example_district_size(examples_dir):
    schoology = read_schoology(examples_dir / "schoology" / "users.csv")

    assert len(schoology.users) == 46
