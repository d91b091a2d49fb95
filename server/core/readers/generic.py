"""Read SIS users from any CSV or workbook through a column map.

A column map names, for each of our fields, the header of the column that
contains it: ``{"sis_key": "Person ID", "first_name": "Given", ...}``. Fields
left out of the map are looked up under their usual header names, such as
"First Name" or "first_name" for ``first_name``.

The ``role`` entry is either a header or a fixed role for every row. A value
that starts with "=" is always a fixed role (``role="=teacher"``). Any other
value is a header when the file has a column of that name, and otherwise a
fixed role when it names one (``role="student"``).
"""

from __future__ import annotations

import logging
import sys

from ..errors import ExportError
from ..model import SisUser, make_local_id, parse_role
from .collect import SisCollector
from .source import Table, cached_parse_role, header_key, quote_headers

logger = logging.getLogger(__name__)

FORMAT = "csv"

# Our fields with the header names tried when the column map leaves them out,
# in the order that ``read_generic`` unpacks them.
FIELDS = {
    "sis_key": ("sis_key", "SIS Key", "SIS ID"),
    "number": ("number", "Student Number", "Staff Number", "Number"),
    "first_name": ("first_name", "Given Name"),
    "middle_name": ("middle_name",),
    "last_name": ("last_name", "Family Name", "Surname"),
    "username": ("username", "User Name"),
    "email": ("email", "E-mail Address", "Email Address"),
    "role": ("role",),
    "school": ("school", "School Name", "Building"),
    "grade": ("grade", "Grade Level"),
}
REQUIRED = ("sis_key", "first_name", "last_name", "role")


def check_column_map(column_map: dict[str, str]) -> None:
    """Raise for a column map entry that names none of our fields."""
    for name in column_map:
        if name not in FIELDS:
            raise ExportError(
                f"The column map names the unknown field '{name}'. The fields "
                f"are {', '.join(FIELDS)}."
            )


def resolve_columns(
    table: Table, column_map: dict[str, str], key_column: str | None
) -> tuple[dict[str, int | None], str]:
    """Find the column of each field, and the fixed role text if there is one."""
    column_map = dict(column_map)
    if key_column:
        column_map["sis_key"] = key_column

    fixed_role = ""
    role_entry = column_map.get("role", "").strip()
    keys = table.keys
    if role_entry.startswith("=") or (
        role_entry and header_key(role_entry) not in keys and parse_role(role_entry)
    ):
        fixed_role = role_entry.removeprefix("=").strip()
        column_map.pop("role")

    columns: dict[str, int | None] = {}
    for name, defaults in FIELDS.items():
        if name == "role" and fixed_role:
            columns[name] = None
            continue

        header = column_map.get(name)
        if header is not None:
            columns[name] = table.column((header,))
            continue

        columns[name] = table.column(defaults, required=False)
        if columns[name] is None and name in REQUIRED:
            found = quote_headers(table.headers)
            raise ExportError(
                f"{table.name}: no column contains the field '{name}'. The header "
                f"row contains {found}. Name the column in the column map, for "
                f"example {name}=HEADER."
            )

    return columns, fixed_role


def read_generic(
    table: Table,
    collector: SisCollector,
    column_map: dict[str, str] | None = None,
    key_column: str | None = None,
) -> tuple[int, list[str]]:
    """Add the users of a mapped CSV or sheet to ``collector``.

    Return the number of data rows and the warnings.

    :raise ExportError: for an unknown field or a missing column in the map,
        a blank key, an unknown role, or a key that two people share.
    """
    column_map = column_map or {}
    check_column_map(column_map)
    columns, fixed_role = resolve_columns(table, column_map, key_column)
    fixed = parse_role(fixed_role) if fixed_role else None
    if fixed_role and fixed is None:
        raise ExportError(
            f"The column map gives the fixed role '{fixed_role}', which is not "
            "a student, staff or parent role."
        )
    table.warn_numeric(columns["sis_key"])
    table.warn_numeric(columns["number"])

    pick = table.picker([columns[name] for name in FIELDS])

    source = sys.intern(table.name)
    rows = 0
    for line, row in table.rows():
        rows += 1
        (
            sis_key,
            number,
            first_name,
            middle_name,
            last_name,
            username,
            email,
            role_text,
            school,
            grade,
        ) = pick(row)

        sis_key = sis_key.strip()
        if not sis_key:
            header = table.headers[columns["sis_key"]]
            raise table.blank_error(
                line,
                f"the SIS key in column '{header}'",
                "Fill it in, or choose another key column.",
            )

        role_name = fixed_role or sys.intern(role_text.strip())
        role = fixed or cached_parse_role(role_name)
        if role is None:
            raise ExportError(
                f"{table.where(line)}: the role '{role_name}' is not a student, "
                "staff or parent role. Correct it, or give a fixed role in the "
                "column map (role=student)."
            )

        user = SisUser(
            line=line,
            source=source,
            local_id=make_local_id(role, sis_key),
            sis_key=sis_key,
            number=number.strip(),
            first_name=sys.intern(first_name),
            middle_name=sys.intern(middle_name),
            last_name=sys.intern(last_name),
            username=username,
            email=email,
            role=role,
            role_name=role_name,
            school=sys.intern(school.strip()),
            grade=sys.intern(grade.strip()),
        )
        collector.add(user, table)

    table.check_scientific_key(columns["sis_key"])
    table.warn_scientific(columns["number"])
    logger.info("Read a mapped CSV file: %d rows", rows)

    return rows, list(table.warnings)
