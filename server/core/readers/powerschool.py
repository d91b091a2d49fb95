"""Read PowerSchool student and staff exports.

The SIS key is the DCID. The number that the ``unique-id`` mapping option
compares is Student_Number or TeacherNumber, and Student_Web_ID is a
student's username. Students who are not currently enrolled (Enroll_Status
other than 0) and staff who are not active (Status other than 1) are kept,
because a Schoology account may still belong to them. A warning counts them
so that the admin can decide.
"""

from __future__ import annotations

import logging
import sys

from ..model import Role, SisUser, make_local_id
from .collect import SisCollector
from .source import Table, list_places

logger = logging.getLogger(__name__)

STUDENTS = "powerschool-students"
STAFF = "powerschool-staff"


class Layout:
    """The columns of one PowerSchool export and the values that mean active."""

    def __init__(self, kind: str):
        student = kind == STUDENTS
        self.kind = kind
        self.role = Role.STUDENT if student else Role.STAFF
        self.role_name = "Student" if student else "Staff"
        self.number = ("Student_Number",) if student else ("TeacherNumber",)
        self.email = ("Email",) if student else ("Email_Addr", "Email")
        self.username = ("Student_Web_ID",) if student else ("TeacherLoginID",)
        self.status = ("Enroll_Status",) if student else ("Status",)
        self.active = "0" if student else "1"
        self.inactive_words = (
            "students who are not currently enrolled (Enroll_Status is not 0)"
            if student
            else "staff who are not active (Status is not 1)"
        )


def read_powerschool(
    table: Table, kind: str, collector: SisCollector, key_column: str | None = None
) -> tuple[int, list[str]]:
    """Add the users of a PowerSchool students or staff export to ``collector``.

    ``kind`` is STUDENTS or STAFF. Return the number of data rows and the
    warnings.

    :raise ExportError: for a missing column, a blank key, or a key that two
        different people share.
    """
    layout = Layout(kind)
    key = table.column((key_column or "DCID",))
    number = table.column(layout.number)
    first_name = table.column(("First_Name",))
    last_name = table.column(("Last_Name",))
    middle_name = table.column(("Middle_Name",), required=False)
    email = table.column(layout.email, required=False)
    username = table.column(layout.username, required=False)
    school = table.column(("SchoolID", "School_Name"), required=False)
    grade = table.column(("Grade_Level",), required=False)
    status = table.column(layout.status, required=False)
    for index in (key, number):
        table.warn_numeric(index)
    pick = table.picker(
        [key, number, first_name, middle_name, last_name, email, username]
        + [school, grade, status]
    )

    source = sys.intern(table.name)
    rows = 0
    inactive: list[int] = []
    for line, row in table.rows():
        rows += 1
        (
            sis_key,
            number_text,
            first,
            middle,
            last,
            email_text,
            username_text,
            school_text,
            grade_text,
            state,
        ) = pick(row)

        sis_key = sis_key.strip()
        if not sis_key:
            raise table.blank_error(
                line,
                f"the SIS key in column '{table.headers[key]}'",
                "Export the file again with that column filled in.",
            )

        if status is not None and state.strip() != layout.active:
            inactive.append(line)

        user = SisUser(
            line=line,
            source=source,
            local_id=make_local_id(layout.role, sis_key),
            sis_key=sis_key,
            number=number_text.strip(),
            first_name=sys.intern(first),
            middle_name=sys.intern(middle),
            last_name=sys.intern(last),
            username=username_text,
            email=email_text,
            role=layout.role,
            role_name=layout.role_name,
            school=sys.intern(school_text.strip()),
            grade=sys.intern(grade_text.strip()),
        )
        collector.add(user, table)

    table.check_scientific_key(key)
    table.warn_scientific(number)
    warnings = list(table.warnings)
    if inactive:
        warnings.append(
            f"{table.name}: {len(inactive)} {layout.inactive_words} were kept "
            f"({list_places(inactive, table.unit)}). Clear the Integration-Mapping "
            "ID of their rows if their Schoology accounts should not be linked."
        )
    logger.info("Read a PowerSchool %s file: %d rows", layout.role_name, rows)

    return rows, warnings
