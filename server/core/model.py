"""People on both sides of a user mapping report, and SIS local IDs.

Every ID here is a ``str`` exactly as the export spelled it, so ``004512`` and
17-digit numbers keep every digit. Nothing in this module reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """The three kinds of account that a SIS local ID prefix distinguishes."""

    STUDENT = "student"
    STAFF = "staff"
    PARENT = "parent"

    @property
    def prefix(self) -> str:
        return ROLE_PREFIXES[self]


ROLE_PREFIXES = {Role.STUDENT: "1", Role.STAFF: "2", Role.PARENT: "3"}
PREFIX_ROLES = {prefix: role for role, prefix in ROLE_PREFIXES.items()}

# Words seen in Schoology role names and OneRoster roles, mapped to a Role.
# OneRoster 1.1 and 1.2 roles: student, teacher, guardian, parent, relative,
# administrator (1.2 adds aide, proctor and others, all staff).
ROLE_WORDS = {
    "student": Role.STUDENT,
    "learner": Role.STUDENT,
    "parent": Role.PARENT,
    "guardian": Role.PARENT,
    "relative": Role.PARENT,
    "teacher": Role.STAFF,
    "staff": Role.STAFF,
    "administrator": Role.STAFF,
    "admin": Role.STAFF,
    "aide": Role.STAFF,
    "proctor": Role.STAFF,
    "districtadministrator": Role.STAFF,
    "siteadministrator": Role.STAFF,
    "systemadministrator": Role.STAFF,
    "principal": Role.STAFF,
    "counselor": Role.STAFF,
}


def parse_role(text: str) -> Role | None:
    """Map a role name from either side to a Role, or None when it is unknown.

    Schoology role names are set per school ("Student", "Teacher",
    "School Admin", "Parent"), so any name that contains one of the known words
    counts: "Building Admin" is staff and "Parent Guardian" is a parent.
    """
    words = text.strip().lower().replace("-", " ").replace("_", " ").split()
    joined = "".join(words)
    if joined in ROLE_WORDS:
        return ROLE_WORDS[joined]

    for word in words:
        if word in ROLE_WORDS:
            return ROLE_WORDS[word]

    return None


def make_local_id(role: Role, sis_key: str) -> str:
    """Build a SIS local ID such as ``1_S88213`` from a role and a SIS key."""
    return f"{role.prefix}_{sis_key}"


def local_id_role(local_id: str) -> Role | None:
    """Return the role that a local ID's prefix names, or None for no prefix."""
    prefix, sep, key = local_id.partition("_")
    if not sep or not key:
        return None

    return PREFIX_ROLES.get(prefix)


@dataclass(slots=True)
class SchoologyUser:
    """One row of a Schoology user export.

    ``line`` is the 1-based line of the source file (the header is line 1),
    so that messages can point at the row.
    """

    line: int
    schoology_id: str
    unique_id: str
    first_name: str
    middle_name: str
    last_name: str
    username: str
    email: str
    role: Role
    role_name: str
    school: str = ""
    grad_year: str = ""
    additional_schools: str = ""


@dataclass(slots=True)
class SisUser:
    """One person from a SIS export, with the local ID that Schoology will use.

    ``sis_key`` is the OneRoster sourcedId, the PowerSchool DCID or the column
    chosen for another source. ``number`` is what the ``unique-id`` mapping
    option compares: student number, teacher number or OneRoster identifier.
    ``school`` may list several schools separated by ", ".
    """

    line: int
    source: str
    local_id: str
    sis_key: str
    number: str
    first_name: str
    middle_name: str
    last_name: str
    username: str
    email: str
    role: Role
    role_name: str
    school: str = ""
    grade: str = ""


@dataclass(slots=True)
class Export:
    """The users read from one or more files of one side, with what was noticed.

    ``files`` lists ``(file name, format, data rows)`` for each file read.
    ``warnings`` are full sentences that name the file and line.
    """

    side: str
    users: list = field(default_factory=list)
    files: list[tuple[str, str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
